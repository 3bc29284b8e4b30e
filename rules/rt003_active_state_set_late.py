"""RT003 active-state-set-late."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.analysis.lifecycle import Adapter, Send, shown
from rtlint.diagnostics import Diagnostic, Related
from rtlint.fixes.reservation import reserve_at_sends
from rtlint.rule import Context, Example, Rule


class ActiveStateSetLate(Rule):
    """
    ## What it does
    Flags an active-response state that guards `response.create` but is set only when
    `response.created` arrives: no send of the adapter sets (reserves) a response-state
    field on every path before it.

    ## Why is this bad?
    Between sending `response.create` and receiving `response.created` the flag still says
    "idle". A second request in that window (a tool result, the next user turn, a server-VAD
    turn end) passes the guard and is sent too; the server rejects it with
    `conversation_already_has_active_response` and the turn is lost.

    ## Example
    ```python
    async def request_response(self):
        if self._response_active:
            self._response_requested = True
            return
        await self._send({"type": "response.create"})


    def _receive(self, event):
        if event["type"] == "response.created":
            self._response_active = True
    ```

    ## Use instead
    Reserve the slot when sending (and give it back if the send raises); `response.created`
    only confirms it:
    ```python
    async def request_response(self):
        if self._response_active:
            self._response_requested = True
            return
        self._response_active = True
        await self._send({"type": "response.create"})
    ```

    ## Fix safety
    The fix writes, right before each `response.create` the adapter sends, the value the
    `response.created` handler writes, and wraps the send so that an exception puts the
    cleared value back (`try`/`except BaseException: …; raise`, `try`/`catch` rethrow); the
    set on `response.created` stays and confirms the reservation. What the CFG proves
    decides how it is offered:

    - a send that may not go out (the statement does more than send, or a local wrapper
      may return without sending or swallows a failure) would keep the slot taken for
      good: the fix is only a suggestion;
    - it is safe when, in addition, every send follows a test or write showing the slot
      clear with no `await` or local call in between (so the rollback restores the value
      that was there), an `error` handler clears the slot (a create the server rejects
      gets no `response.done`), and only the create guards read it;
    - otherwise it is unsafe.

    A value taken from the event (`response.id`) cannot be written before the response
    exists: no fix.

    RT001's fix stays a suggestion for an unguarded send in a class that sets its flag only
    on `response.created`: the guard it adds is what makes the class an RT003 finding (a
    fix never adds one), so this fix cannot run first, and reserving in the same edit
    would go without the rollback. Fix the guard by hand, then apply this fix.

    ## Known limitations
    A reservation made by another object (a sequencer) is not seen; route the create through
    it and the send is no longer the adapter's.
    """

    code = "RT003"
    tokens = LIFECYCLE_TOKENS
    name = "active-state-set-late"
    summary = "the active state is set on `response.created`, not when `response.create` is sent"
    fix_title = "Reserve the slot at each send, rolled back if the send raises"

    valid = (
        Example(
            """
            class Adapter:
                async def request_response(self):
                    if self._response_active:
                        return
                    self._response_active = True
                    await self.ws.send('{"type": "response.create"}')

                def _receive(self, event):
                    if event["type"] == "response.created":
                        self._response_active = True
                    elif event["type"] == "response.done":
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              requestResponse(): void {
                if (this.responseActive) return;
                this.responseActive = true;
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
    invalid = (
        Example(
            """
            class Adapter:
                async def request_response(self):
                    if self._response_active:
                        return
                    await self.ws.send('{"type": "response.create"}')

                def _receive(self, event):
                    if event["type"] == "response.created":
                        self._response_active = True  # expect: RT003
                    elif event["type"] == "response.done":
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              requestResponse(): void {
                if (this.responseActive) return;
                this.ws.send(JSON.stringify({ type: "response.create" }));
              }
              receive(event: { type: string }): void {
                if (event.type === "response.created") this.responseActive = true; // expect: RT003
                else if (event.type === "response.done") this.responseActive = false;
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for adapter in ctx.lifecycle.adapters:
            if not adapter.sends or any(s.reserved for s in adapter.sends):
                continue
            guards = {f for p in adapter.paths_of("send") for f in p.reads}
            seen: set[int] = set()
            for path in adapter.paths_of("event", "response.created"):
                for w in path.writes:
                    f = adapter.fields[w.field]
                    if f.role != "active" or w.action != "set" or w.field not in guards:
                        continue
                    if w.span.start_byte in seen:
                        continue
                    seen.add(w.span.start_byte)
                    send = _guarded_send(adapter, w.field)
                    fix = reserve_at_sends(
                        ctx.module, ctx.active_state, adapter, f, w, self.fix_title or "", ctx.edits
                    )
                    yield self.diagnostic(
                        ctx, w.span,
                        f"`{shown(f.name)}` is set only when `response.created` arrives, not "
                        f"when `response.create` is sent (line {send.span.line}): a second "
                        "request in between passes the guard; reserve the slot at the send",
                        fix=fix,
                        related=(Related(send.span, "the send that does not reserve the slot"),),
                    )  # fmt: skip


def _guarded_send(adapter: Adapter, name: str) -> Send:
    """The first send whose function tests ``name`` (else the first send)."""
    guarded = {p.function for p in adapter.paths_of("send") if name in p.tests}
    sends = sorted(adapter.sends, key=lambda s: s.span)
    return next((s for s in sends if s.function in guarded), sends[0])
