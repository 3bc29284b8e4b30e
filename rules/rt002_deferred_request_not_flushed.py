"""RT002 deferred-request-not-flushed."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.analysis.lifecycle import Adapter, Write, shown
from rtlint.diagnostics import Diagnostic, Related
from rtlint.rule import Context, Example, Rule
from rtlint.vocabulary import norm

_RESETS = ("reset", "connect", "close", "clear")


class DeferredRequestNotFlushed(Rule):
    """
    ## What it does
    Flags a deferred response request (`_response_requested`, `pendingResponse`) that the
    adapter sets but does not flush exactly once:

    - no code reads it and sends `response.create` (the `response.done` path should): it is
      never flushed;
    - the code that sends for it never clears it: it fires on every later flush;
    - it is cleared somewhere that never reads it (at the start of a turn, in a helper), so
      a request deferred before that point is dropped without being flushed.

    ## Why is this bad?
    Deferring a request made while a response is active is the right guard, but only if
    the request comes back when that response ends. A deferral nobody flushes drops the
    user's turn as surely as no guard at all; one that is never cleared starts a response
    after every response, an endless monologue.

    ## Example
    ```python
    async def request_response(self):
        if self._response_active:
            self._response_requested = True
            return
        ...


    async def _on_done(self, event):
        self._response_active = False
    ```

    ## Use instead
    ```python
    async def _on_done(self, event):
        self._response_active = False
        if self._response_requested:
            self._response_requested = False
            await self.request_response()
    ```

    ## Known limitations
    Deferred requests are recognised by name (`pending`/`requested`/`deferred`/`queued`
    with `response`/`create`/`reply`); queues of events are not followed. Clears on connect,
    close and event paths, and in functions named for a reset (`reset`, `connect`, `close`,
    `clear`), count as deliberate.
    """

    code = "RT002"
    tokens = LIFECYCLE_TOKENS
    name = "deferred-request-not-flushed"
    summary = "a deferred `response.create` request is never flushed, or flushed without clearing"

    valid = (
        Example(
            """
            class Adapter:
                async def request_response(self):
                    if self._response_active:
                        self._response_requested = True
                        return
                    self._response_active = True
                    await self.ws.send('{"type": "response.create"}')

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
                        if self._response_requested:
                            self._response_requested = False
                            await self.request_response()
            """
        ),
        Example(
            """
            class Adapter {
              requestResponse(): void {
                if (this.responseActive) {
                  this.pendingResponse = true;
                  return;
                }
                this.responseActive = true;
                this.ws.send(JSON.stringify({ type: "response.create" }));
              }
              receive(event: { type: string }): void {
                if (event.type === "response.done") {
                  this.responseActive = false;
                  if (this.pendingResponse) {
                    this.pendingResponse = false;
                    this.requestResponse();
                  }
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
                    if self._response_active:
                        self._response_requested = True  # expect: RT002
                        return
                    self._response_active = True
                    await self.ws.send('{"type": "response.create"}')

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              requestResponse(): void {
                if (this.responseActive) {
                  this.pendingResponse = true; // expect: RT002
                  return;
                }
                this.responseActive = true;
                this.ws.send(JSON.stringify({ type: "response.create" }));
              }
              receive(event: { type: string }): void {
                if (event.type === "response.done") {
                  this.responseActive = false;
                  if (this.pendingResponse) this.requestResponse();
                }
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for adapter in ctx.lifecycle.adapters:
            if not adapter.sends:
                continue
            for f in adapter.role("deferred"):
                sets = sorted((w for w in f.writes if w.action == "set"), key=lambda w: w.span)
                if not sets:
                    continue
                name = shown(f.name)
                flushes = [p for p in adapter.paths_of("flush") if f.name in p.tests]
                if not flushes:
                    yield self.diagnostic(
                        ctx, sets[0].span,
                        f"`{name}` defers a response request, but nothing reads it and sends "
                        "`response.create` (a `response.done` path should): the deferred "
                        "request is never flushed and the turn is lost",
                    )  # fmt: skip
                    continue
                yield from self._wiped(ctx, adapter, f.name, sets[0])
                if not any(p.may(f.name, "clear") for p in flushes):
                    flush = flushes[0]
                    yield self.diagnostic(
                        ctx, sets[0].span,
                        f"`{name}` is flushed in `{flush.label}` (line {flush.span.line}) but "
                        "never cleared there: every later flush sends another `response.create`",
                        related=(Related(flush.span, "the flush that does not clear it"),),
                    )  # fmt: skip

    def _wiped(
        self, ctx: Context, adapter: Adapter, name: str, first: Write
    ) -> Iterator[Diagnostic]:
        """Clears of the deferral where no flush reads it: the request is silently lost."""
        kept = {
            (w.function, w.span.start_byte)
            for p in adapter.paths
            if p.kind in ("connect", "close", "event") or name in p.tests
            for w in p.writes
        }
        for w in adapter.fields[name].writes:
            fn = ctx.module.functions[w.function]
            if w.action != "clear" or (w.function, w.span.start_byte) in kept:
                continue
            if fn.kind == "module" or fn.name in ("__init__", "constructor"):
                continue
            if any(word in norm(fn.name) for word in _RESETS):
                continue  # `_reset_for_reconnect()`, `clear_state()`: a deliberate reset
            yield self.diagnostic(
                ctx, w.span,
                f"`{shown(name)}` is cleared in `{fn.name or '<anonymous>'}`, which never "
                "reads it: a request deferred before this point is dropped without being "
                "flushed",
                related=(Related(first.span, "the request is deferred here"),),
            )  # fmt: skip
