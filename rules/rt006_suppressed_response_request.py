"""RT006 suppressed-response-request."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from rtlint import ir
from rtlint.analysis.emissions import walk_effects, walk_stmts
from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.analysis.guards import GuardClassifier
from rtlint.analysis.lifecycle import Adapter, terminal_paths
from rtlint.diagnostics import Diagnostic
from rtlint.rule import Context, Example, Rule
from rtlint.vocabulary import norm


class SuppressedResponseRequest(Rule):
    """
    ## What it does
    Flags a guard in front of a `response.create` whose active branch drops the request:
    it only returns (or logs and returns, or falls off the end of the function) with no
    deferral, no queue, no error raised and no cancel-then-defer.

    ## Why is this bad?
    The guard stops the `conversation_already_has_active_response` error, but the request
    is gone: a tool result that needed an answer, or the user's next turn, is never
    responded to, and nothing says so. A logged drop is still a drop; if dropping is
    really intended, suppress the finding with a reason (`# rtlint: ignore[RT006] -- …`).

    ## Example
    ```python
    async def on_tool_result(self, output):
        await self._send_item(output)
        if self._response_active:
            logger.debug("response active, skipping")
            return
        self._response_active = True
        await self._send({"type": "response.create"})
    ```

    ## Use instead
    ```python
        if self._response_active:
            self._response_requested = True  # flushed on response.done
            return
    ```

    ## Preview
    This rule is in preview: some real adapters drop on purpose (a user turn superseded
    by the server's own VAD response), and the rule cannot tell that from a lost turn.

    ## Known limitations
    Only guards in the function that sends are judged; a drop in a caller is not seen. A
    function that a `response.done` path calls (the flush) may return early while busy: it
    runs again when the response ends.
    """

    code = "RT006"
    tokens = LIFECYCLE_TOKENS
    name = "suppressed-response-request"
    summary = "a guard drops the response request while a response is active"
    preview = True

    valid = (
        Example(
            """
            class Adapter:
                async def on_tool_result(self):
                    if self._response_active:
                        self._response_requested = True
                        return
                    self._response_active = True
                    await self.ws.send('{"type": "response.create"}')
            """
        ),
        Example(
            """
            class Adapter {
              onToolResult(): void {
                if (this.responseActive) {
                  this.queue.push("respond");
                  return;
                }
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
                async def on_tool_result(self):
                    if self._response_active:  # expect: RT006
                        logger.debug("busy")
                        return
                    self._response_active = True
                    await self.ws.send('{"type": "response.create"}')
            """
        ),
        Example(
            """
            class Adapter {
              onToolResult(): void {
                if (!this.responseActive) { // expect: RT006
                  this.responseActive = true;
                  this.ws.send(JSON.stringify({ type: "response.create" }));
                }
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        index = ctx.active_state.index
        for adapter in ctx.lifecycle.adapters:
            rerun = _called_on_done(ctx, adapter)
            deferred = {f.name for f in adapter.role("deferred")}
            for path in adapter.paths_of("send"):
                if path.function in rerun or path.tests & deferred:
                    continue  # the flush itself: it runs again, the request stays pending
                fn = ctx.module.functions[path.function]
                guards = GuardClassifier(ctx.vocab, fn.params, partial(index.single_value, fn))
                for stmt, last in _ifs(fn.body):
                    if guards.proves_idle(stmt.cond, False):
                        active, ends = stmt.then, True
                    elif guards.proves_idle(stmt.cond, True):
                        active, ends = stmt.orelse, bool(stmt.orelse) or last
                    else:
                        continue
                    drop = _drops(active, ctx)
                    if drop is None or not (ends and (_returns(active) or last)):
                        continue
                    logged = " (it is logged, but a logged drop is still a drop)" if drop else ""
                    yield self.diagnostic(
                        ctx, _head(stmt),
                        "while a response is active this request is dropped: no deferral, "
                        f"queue, error or cancel-then-defer, so the turn disappears{logged}; "
                        "defer it and flush it on `response.done`",
                    )  # fmt: skip


def _called_on_done(ctx: Context, adapter: Adapter) -> set[int]:
    """Functions a ``response.done`` path calls."""
    index = ctx.active_state.index
    called: set[int] = set()
    for path in terminal_paths(adapter, ctx.vocab):
        fn = ctx.module.functions[path.function]
        for effect in walk_effects(path.body):
            if isinstance(effect, ir.Call):
                target = index.target(effect.call, fn)
                if target is not None:
                    called.add(target)
    return called


def _ifs(body: list[ir.Stmt]) -> Iterator[tuple[ir.If, bool]]:
    """Every ``if`` of the function, with whether it is the last statement of the body."""
    for i, stmt in enumerate(body):
        if isinstance(stmt, ir.If):
            yield stmt, i == len(body) - 1
    top = {id(stmt) for stmt in body}
    for stmt in walk_stmts(body):
        if not isinstance(stmt, ir.If) or id(stmt) in top:
            continue
        yield stmt, False


def _drops(body: list[ir.Stmt], ctx: Context) -> bool | None:
    """None when ``body`` records the request somehow; else whether it logs the drop."""
    logged = False
    for stmt in walk_stmts(body):
        if isinstance(stmt, ir.Raise | ir.Loop | ir.Try | ir.Switch):
            return None
        if isinstance(stmt, ir.Effects):
            for effect in stmt.effects:
                if isinstance(effect, ir.Assign | ir.Closure):
                    return None
                if isinstance(effect, ir.Call):
                    name = norm(effect.call.callee[-1]) if effect.call.callee else ""
                    if name not in ctx.vocab.not_sends:
                        return None
                    logged = True
    return logged


def _returns(body: list[ir.Stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ir.Return)


def _head(stmt: ir.If) -> ir.Span:
    s = stmt.span
    return ir.Span(s.start_byte, s.start_byte, s.line, s.column, s.line, s.column)
