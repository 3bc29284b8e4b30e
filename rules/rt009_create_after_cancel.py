"""RT009 create-after-cancel."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis import cancels
from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.diagnostics import Diagnostic, Related
from rtlint.rule import Context, Example, Rule


class CreateAfterCancel(Rule):
    """
    ## What it does
    Flags a `response.create` sent on the same path right after a `response.cancel`,
    without waiting for the cancelled response's `response.done` in between.

    ## Why is this bad?
    A cancelled response is still active until its `response.done` arrives (with
    `status: "cancelled"`). A create sent in between is rejected with
    `conversation_already_has_active_response`: the follow-up the cancel was meant to make
    room for (a guardrail correction, a handoff greeting) is lost.

    ## Example
    ```python
    async def replace_response(self, instructions):
        await self._send({"type": "response.cancel"})
        await self._send({"type": "response.create", "response": {"instructions": instructions}})
    ```

    ## Use instead
    Cancel, record the request, and send it from the `response.done` handler (or wait for
    the cancelled response's done first):
    ```python
    async def replace_response(self, instructions):
        await self._send({"type": "response.cancel"})
        self._pending_instructions = instructions  # sent when response.done arrives
    ```

    ## Known limitations
    Any awaited call whose name says it waits (`wait`, `done`, `idle`, ...) counts as
    waiting for the response's end.
    """

    code = "RT009"
    tokens = LIFECYCLE_TOKENS
    name = "create-after-cancel"
    summary = "`response.create` right after `response.cancel`, before the cancelled response ends"

    valid = (
        Example(
            """
            class Adapter:
                async def replace_response(self):
                    await self.ws.send('{"type": "response.cancel"}')
                    await self._response_done.wait()
                    await self.ws.send('{"type": "response.create"}')
            """
        ),
        Example(
            """
            class Adapter {
              async replaceResponse(): Promise<void> {
                this.ws.send(JSON.stringify({ type: "response.cancel" }));
                await this.waitForResponseDone();
                this.ws.send(JSON.stringify({ type: "response.create" }));
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
                async def replace_response(self):
                    await self.ws.send('{"type": "response.cancel"}')
                    await self.ws.send('{"type": "response.create"}')  # expect: RT009
            """
        ),
        Example(
            """
            class Adapter {
              replaceResponse(): void {
                this.ws.send(JSON.stringify({ type: "response.cancel" }));
                this.ws.send(JSON.stringify({ type: "response.create" })); // expect: RT009
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        index = ctx.active_state.index
        for adapter in ctx.lifecycle.adapters:
            for i in adapter.functions:
                _, found = cancels.analyse(ctx.module.functions[i], index, ctx.vocab)
                for hit in found:
                    yield self.diagnostic(
                        ctx, hit.create,
                        f"`response.create` follows the `response.cancel` of line "
                        f"{hit.cancel.line} without waiting for the cancelled response's "
                        "`response.done`: it is still active, so this create is rejected",
                        related=(Related(hit.cancel, "the cancel"),),
                    )  # fmt: skip
