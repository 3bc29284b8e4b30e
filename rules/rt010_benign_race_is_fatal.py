"""RT010 benign-race-is-fatal."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint import ir
from rtlint.analysis.cancels import sends_cancel
from rtlint.analysis.emissions import walk_effects
from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.analysis.fatal_errors import fatal_on_every_path
from rtlint.analysis.lifecycle import Adapter
from rtlint.diagnostics import Diagnostic, Related
from rtlint.rule import Context, Example, Rule


class BenignRaceIsFatal(Rule):
    """
    ## What it does
    Flags a handler of the server's `error` event that raises, or closes the session, on
    every error without looking at its code or message.

    ## Why is this bad?
    Some errors are the normal outcome of a race no client can rule out: a server-VAD
    response that started just before our `response.create`
    (`conversation_already_has_active_response`), a `response.cancel` that lost to the
    response's natural end (`response_cancel_not_active`). The server reports them and
    carries on; a client that treats every `error` as fatal ends the call instead.

    ## Example
    ```python
    elif kind == "error":
        raise RealtimeError(event["error"]["message"])
    ```

    ## Use instead
    Classify by code, falling back to the message prefix (beta payloads have `code: null`):
    ```python
    elif kind == "error":
        code = event["error"].get("code")
        if code in ("conversation_already_has_active_response", "response_cancel_not_active"):
            log.debug("benign race: %s", code)
        else:
            raise RealtimeError(event["error"]["message"])
    ```

    ## Preview
    This rule is in preview: on real projects it had not seen, one of its three findings
    was a one-off test connection in which neither recoverable error can occur (an adapter
    that sends neither `response.create` nor `response.cancel` is no longer judged). On the
    real packages rtlint is tested against it reports nothing (74 `error` handlers, none
    fatal for the recoverable codes), so they cannot show that the rule is now free of
    false alarms.

    ## Known limitations
    "Every error" is judged on the handler's control-flow graph: every path a recoverable
    error can take ends in a `raise`/`throw`, a closing call (`close()`, `disconnect()`,
    `exit()`...) or a local function that does so on every path. Only a comparison of the
    error's `code` with other codes is known to exclude the recoverable errors; any other
    branch (on the message, the `event_id`, a lookup set of codes, the adapter's state)
    that leads to a path that carries on makes the handler compliant.
    """

    code = "RT010"
    tokens = LIFECYCLE_TOKENS
    name = "benign-race-is-fatal"
    summary = "an `error` handler ends the session on every error, benign races included"
    preview = True

    valid = (
        Example(
            """
            class Adapter:
                async def request_response(self):
                    await self.ws.send('{"type": "response.create"}')

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
                    elif event["type"] == "error":
                        if event["error"].get("code") == "response_cancel_not_active":
                            return
                        raise RuntimeError(event["error"]["message"])
            """
        ),
        Example(
            """
            class Adapter {
              requestResponse(): void {
                this.ws.send(JSON.stringify({ type: "response.create" }));
              }
              receive(event: any): void {
                if (event.type === "response.done") this.responseActive = false;
                else if (event.type === "error") {
                  if (BENIGN_CODES.has(event.error.code)) return;
                  this.ws.close();
                }
              }
            }
            """,
            "typescript",
        ),
    )
    invalid = (
        Example(
            """
            class Adapter:
                async def request_response(self):
                    await self.ws.send('{"type": "response.create"}')

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
                    elif event["type"] == "error":
                        raise RuntimeError(event["error"]["message"])  # expect: RT010
            """
        ),
        Example(
            """
            class Adapter {
              requestResponse(): void {
                this.ws.send(JSON.stringify({ type: "response.create" }));
              }
              receive(event: any): void {
                if (event.type === "response.done") this.responseActive = false;
                else if (event.type === "error") {
                  console.error(event.error);
                  this.ws.close(); // expect: RT010
                }
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for adapter in ctx.lifecycle.adapters:  # Realtime adapters only
            if not adapter.sends and not _cancels(ctx, adapter):
                continue  # neither race can happen to a connection that never asks for either
            for path in adapter.paths_of("event", "error"):
                fn = ctx.module.functions[path.function]
                fatal = fatal_on_every_path(path.body, fn, ctx.active_state.index)
                if fatal is None:
                    continue
                yield self.diagnostic(
                    ctx, fatal,
                    "every `error` ends the session here, including the recoverable "
                    "`conversation_already_has_active_response` and `response_cancel_not_active`"
                    ": check `error.code` (or the message prefix) first",
                    related=(Related(path.span, "the `error` handler"),),
                )  # fmt: skip


def _cancels(ctx: Context, adapter: Adapter) -> bool:
    """The adapter sends ``response.cancel``."""
    fns = ctx.module.functions
    return any(
        isinstance(e, ir.Call) and sends_cancel(e.call, ctx.vocab)
        for i in adapter.functions
        for e in walk_effects(fns[i].body)
    )
