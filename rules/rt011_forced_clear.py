"""RT011 forced-clear."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint import ir
from rtlint.analysis.emissions import walk_effects, walk_stmts
from rtlint.analysis.event_names import LIFECYCLE_TOKENS, SERVER
from rtlint.analysis.lifecycle import Adapter, Write, shown
from rtlint.analysis.occasions import CLOSE_EVENTS
from rtlint.diagnostics import Diagnostic
from rtlint.rule import Context, Example, Rule


class ForcedClear(Rule):
    """
    ## What it does
    Flags a clear of the active-response state where nothing says the response has ended
    (after a timeout or a bounded wait, at the start of a turn, right before a send), in a
    function that can then send `response.create`.

    A response ends with `response.done`, with an `error` rejecting our create, or with
    the connection; clears on those paths (and in the functions they call) are fine.

    ## Why is this bad?
    Clearing the flag does not end the response: the server still has it running. The
    create that the clear makes room for is rejected with
    `conversation_already_has_active_response`, and the next `response.done` clears a
    flag that now describes another response. Since a forced clear proves nothing, RT001
    also reports the send after it.

    ## Example
    ```python
    async def respond(self):
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=5)
        except asyncio.TimeoutError:
            self._response_active = False  # "probably stuck"
        self._response_active = True
        await self._send({"type": "response.create"})
    ```

    ## Use instead
    Wait for `response.done` (cancel first if the response must stop), or defer the
    request and let the `response.done` handler flush it.

    ## Known limitations
    Private functions that nothing in the file calls are not judged.
    """

    code = "RT011"
    tokens = LIFECYCLE_TOKENS
    name = "forced-clear"
    summary = "the active state is cleared where no response ended, and a create can follow"

    valid = (
        Example(
            """
            class Adapter:
                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
                        await self.flush()

                async def flush(self):
                    if self._response_active:
                        return
                    self._response_active = True
                    await self.ws.send('{"type": "response.create"}')
            """
        ),
        Example(
            """
            class Adapter {
              onClose(): void {
                this.responseActive = false;
              }
              receive(event: { type: string }): void {
                if (event.type === "response.done") this.responseActive = false;
              }
              respond(): void {
                if (this.responseActive) return;
                this.responseActive = true;
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
                async def on_user_turn(self):
                    self._response_active = False  # expect: RT011
                    await self.ws.send('{"type": "response.create"}')

                async def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              onSpeechStopped(): void {
                this.responseActive = false; // expect: RT011
                this.ws.send(JSON.stringify({ type: "response.create" }));
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
        called = _called(ctx)
        ending = {"error", *ctx.vocab.terminal_events, *ctx.vocab.fresh_events, *CLOSE_EVENTS}
        for adapter in ctx.lifecycle.adapters:
            legit = {
                (w.function, w.span.start_byte)
                for p in adapter.paths
                if p.kind in ("connect", "close")
                or (p.kind == "event" and (p.label in ending or p.label not in SERVER))
                for w in p.writes
            }
            emitting = {p.function for p in adapter.paths_of("send")} | {
                s.function for s in adapter.sends
            }
            sends = [s.span for s in adapter.sends]
            for w in _clears(adapter):
                fn = ctx.module.functions[w.function]
                if (w.function, w.span.start_byte) in legit or w.function not in emitting:
                    continue
                if _rolls_back(fn, w.span, sends):
                    continue
                if (fn.private and fn.index not in called) or fn.name in (
                    "__init__",
                    "constructor",
                ):
                    continue
                yield self.diagnostic(
                    ctx, w.span,
                    f"`{shown(w.field)}` is cleared in `{fn.name or '<anonymous>'}`, where no "
                    "response has ended (no `response.done`, `error` or closed connection): "
                    "the server's response is still active and the `response.create` this "
                    "makes room for is rejected",
                )  # fmt: skip


def _clears(adapter: Adapter) -> list[Write]:
    return sorted(
        (w for f in adapter.role("active") for w in f.writes if w.action == "clear"),
        key=lambda w: w.span,
    )


def _rolls_back(fn: ir.Function, span: ir.Span, sends: list[ir.Span]) -> bool:
    """``span`` is in a handler that re-raises, of a ``try`` that sends the create: the
    create never went out, and the clear gives back the slot reserved for it."""
    for stmt in walk_stmts(fn.body):
        if not isinstance(stmt, ir.Try) or not any(stmt.span.contains(s) for s in sends):
            continue
        for handler in stmt.handlers:
            if handler and isinstance(handler[-1], ir.Raise):
                inside = ir.Span(handler[0].span.start_byte, handler[-1].span.end_byte, 0, 0, 0, 0)
                if inside.contains(span) and not any(inside.contains(s) for s in sends):
                    return True
    return False


def _called(ctx: Context) -> set[int]:
    index = ctx.active_state.index
    found: set[int] = set()
    for fn in ctx.module.functions:
        for effect in walk_effects(fn.body):
            if isinstance(effect, ir.Call):
                target = index.target(effect.call, fn)
                if target is not None:
                    found.add(target)
    return found
