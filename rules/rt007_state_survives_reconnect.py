"""RT007 state-survives-reconnect."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.analysis.lifecycle import LifecyclePath, shown, where
from rtlint.diagnostics import Diagnostic, Related
from rtlint.fixes.lifecycle_edits import reset_at_start
from rtlint.rule import Context, Example, Rule

_NAMED = ("connect", "reconnect", "_connect", "_reconnect")


class StateSurvivesReconnect(Rule):
    """
    ## What it does
    Flags a response-state field (the active state, a deferred request) that is reset
    neither where the adapter connects (`connect()`, `reconnect()`, `on_open`,
    `session.created`) nor where it closes (`close()`, `on_close`, the `finally` of its
    receive loop). An active state in an adapter that has a close path is RT004's to report.

    ## Why is this bad?
    A new socket is a new conversation: no response is active and nothing is pending. A
    flag carried over from the old connection swallows the first turn of the new session
    (the guard thinks a response is running, and its `response.done` never comes), and a
    stale deferred request fires a response nobody asked for.

    ## Example
    ```python
    async def connect(self):
        self._ws = await websockets.connect(URL)
    ```

    ## Use instead
    ```python
    async def connect(self):
        self._response_active = False
        self._response_requested = False
        self._ws = await websockets.connect(URL)
    ```

    ## Fix safety
    Unsafe: the fix resets the field (to the value the adapter clears it with) as the first
    statement of the connect method; it changes what a reconnect does, as intended.

    ## Known limitations
    Connect and close paths are found by name and by event (`open`, `close`,
    `session.created`) and by the `finally` of a function with a loop; a reset done by
    another object is not seen.
    """

    code = "RT007"
    tokens = LIFECYCLE_TOKENS
    name = "state-survives-reconnect"
    summary = "response-state fields are not reset when the adapter connects or closes"
    fix_title = "Reset the field at the start of the connect method"

    valid = (
        Example(
            """
            class Adapter:
                async def connect(self):
                    self._response_active = False
                    self._response_requested = False
                    self.ws = await open_socket()

                async def request_response(self):
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
              connect(): void {
                this.responseActive = false;
                this.pendingResponse = false;
                this.ws = new WebSocket(URL);
              }
              requestResponse(): void {
                if (this.responseActive) {
                  this.pendingResponse = true;
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
                async def connect(self):
                    self.ws = await open_socket()

                async def request_response(self):
                    if self._response_active:
                        self._response_requested = True  # expect: RT007
                        return
                    self._response_active = True  # expect: RT007
                    await self.ws.send('{"type": "response.create"}')
            """
        ),
        Example(
            """
            class Adapter {
              connect(): void {
                this.responseActive = false;
                this.ws = new WebSocket(URL);
              }
              requestResponse(): void {
                if (this.responseActive) {
                  this.pendingResponse = true; // expect: RT007
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

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for adapter in ctx.lifecycle.adapters:
            connects = adapter.paths_of("connect")
            closes = adapter.paths_of("close")
            if not connects:
                continue
            for f in adapter.fields.values():
                if f.role == "active" and closes:
                    continue
                sets = sorted((w for w in f.writes if w.action == "set"), key=lambda w: w.span)
                if not sets:
                    continue
                resets = (p.may(f.name, "clear") or p.may(f.name, "other")
                          for p in (*connects, *closes))  # fmt: skip
                if any(resets):
                    continue
                connect = next((p for p in connects if p.label in _NAMED), connects[0])
                fix = reset_at_start(ctx.module, adapter, f, connect, self._title(f.name, connect))
                yield self.diagnostic(
                    ctx, sets[0].span,
                    f"`{shown(f.name)}` survives a reconnect: it is set here but not reset "
                    f"where the adapter connects ({where(connect)}) or closes",
                    fix=fix,
                    related=(Related(connect.span, "the connect path that keeps it"),),
                )  # fmt: skip

    @staticmethod
    def _title(name: str, connect: LifecyclePath) -> str:
        return f"Reset `{shown(name)}` at the start of `{connect.label}`"
