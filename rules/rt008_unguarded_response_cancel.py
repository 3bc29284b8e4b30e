"""RT008 unguarded-response-cancel."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis import cancels
from rtlint.analysis.cancels import BENIGN_CANCEL
from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.diagnostics import Diagnostic
from rtlint.rule import Context, Example, Rule


class UnguardedResponseCancel(Rule):
    """
    ## What it does
    Flags a `response.cancel` that can be sent with no check that a response is active,
    in an adapter whose `error` handling does not treat `response_cancel_not_active` as
    benign.

    ## Why is this bad?
    Cancelling when nothing is running is answered with an `error`
    (`response_cancel_not_active`, "Cancellation failed: no active response found"). The
    usual trigger is barge-in: the user starts talking after the response already ended, or
    server VAD cancelled it first. Adapters that treat every error as fatal end the call.

    ## Example
    ```python
    async def on_user_started_speaking(self):
        await self._send({"type": "response.cancel"})
    ```

    ## Use instead
    Check the active state first, and still tolerate the error (the response can end
    between the check and the cancel):
    ```python
    async def on_user_started_speaking(self):
        if self._response_active:
            await self._send({"type": "response.cancel"})
    ```

    ## Preview
    This rule is in preview: on real projects it has not seen, it missed guards written as
    a helper that returns whether it may cancel, and reported cancels whose error the
    adapter drops harmlessly (2 of 2 findings were false).

    ## Known limitations
    The check must be in the function that sends the cancel; a helper whose callers all
    check is still flagged.
    """

    code = "RT008"
    tokens = LIFECYCLE_TOKENS
    name = "unguarded-response-cancel"
    summary = "`response.cancel` can be sent when no response is active"
    preview = True

    valid = (
        Example(
            """
            class Adapter:
                async def interrupt(self):
                    if self._response_active:
                        await self.ws.send('{"type": "response.cancel"}')

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              interrupt(): void {
                if (!this.responseActive) return;
                this.ws.send(JSON.stringify({ type: "response.cancel" }));
              }
              receive(event: { type: string }): void {
                if (event.type === "response.done") this.responseActive = false;
              }
            }
            """,
            "typescript",
        ),
    )
    invalid = (
        Example(
            """
            import json

            class Adapter:
                async def interrupt(self):
                    await self.ws.send(json.dumps({"type": "response.cancel"}))  # expect: RT008

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              interrupt(): void {
                this.ws.send(JSON.stringify({ type: "response.cancel" })); // expect: RT008
              }
              receive(event: { type: string }): void {
                if (event.type === "response.done") this.responseActive = false;
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        index = ctx.active_state.index
        if BENIGN_CANCEL in ctx.module.strings:
            return  # the file handles the error the race produces
        for adapter in ctx.lifecycle.adapters:
            for i in adapter.functions:
                found, _ = cancels.analyse(ctx.module.functions[i], index, ctx.vocab)
                for cancel in found:
                    if not cancel.guarded:
                        yield self.diagnostic(
                            ctx, cancel.span,
                            "`response.cancel` can be sent when no response is active: no "
                            "active-response check guards it, and `response_cancel_not_active` "
                            "is not handled as benign",
                        )  # fmt: skip
