"""RT005 unknown-event."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import CLIENT, SERVER, closest, dialect
from rtlint.diagnostics import Diagnostic
from rtlint.rule import Context, Example, Rule

CANCELLED = "response.cancelled"


class UnknownEvent(Rule):
    """
    ## What it does
    Flags a Realtime event name the protocol does not have: a handler keyed on a
    server event that is never sent (`response.cancelled`, misspellings such as
    `response.audio_delta`), and a client event literal (`{"type": ...}`) with a name
    that is neither a GA nor a beta event. Both dialects are accepted (`response.text.delta`
    is beta, `response.output_text.delta` is GA); the message says which dialect the
    nearest known name belongs to.

    ## Why is this bad?
    A handler for an event that never arrives never runs. The usual case is clearing the
    active-response flag on `response.cancelled`: early spec text promised that event, but
    the server ends a cancelled response with `response.done` and `status: "cancelled"`.
    The flag stays set after the first barge-in and every later turn is dropped.

    ## Example
    ```python
    elif event["type"] == "response.cancelled":
        self._response_active = False
    ```

    ## Use instead
    Clear on every `response.done`, and read the status when it matters:
    ```python
    elif event["type"] == "response.done":
        self._response_active = False
        if event["response"]["status"] == "cancelled":
            self._on_cancelled()
    ```

    ## Known limitations
    Only dotted names in a Realtime namespace (`response.`, `conversation.`,
    `input_audio_buffer.`, `session.` ...) that are compared with an incoming event's type,
    registered with `.on(...)`, or sent as a `type` are judged. Names built at run time are
    not seen.
    """

    code = "RT005"
    name = "unknown-event"
    summary = "an event name the Realtime protocol does not have (`response.cancelled`)"

    valid = (
        Example(
            """
            class Adapter:
                def _receive(self, event):
                    if event["type"] == "response.done":
                        self._response_active = False
                    elif event["type"] == "response.audio.delta":
                        self._play(event["delta"])
            """
        ),
        Example(
            """
            class Adapter {
              receive(event: { type: string }): void {
                switch (event.type) {
                  case "response.done":
                    this.responseActive = false;
                    break;
                  case "response.output_audio.delta":
                    this.play(event);
                    break;
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
                def _receive(self, event):
                    if event["type"] == "response.cancelled":  # expect: RT005
                        self._response_active = False
            """
        ),
        Example(
            """
            class Adapter {
              receive(event: { type: string }): void {
                if (event.type === "response.output_audio_delta") { // expect: RT005
                  this.play(event);
                } else if (event.type === "response.done") {
                  this.responseActive = false;
                }
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        seen: set[tuple[int, int]] = set()
        for adapter in ctx.lifecycle.adapters:
            for ref in adapter.events:
                known = CLIENT | SERVER
                key = (ref.span.start_byte, ref.span.end_byte)
                if ref.name in known or key in seen:
                    continue
                seen.add(key)
                yield self.diagnostic(ctx, ref.span, _message(ref.name, ref.direction))


def _message(name: str, direction: str) -> str:
    if name == CANCELLED:
        return (
            "the server never sends `response.cancelled`: a cancelled response ends with "
            '`response.done` and `response.status == "cancelled"`; handle that instead'
        )
    side = "server" if direction == "server" else "client"
    near = closest(name, "server" if side == "server" else "client")
    if near is None:
        return f"`{name}` is not a Realtime {side} event (neither GA nor beta)"
    return (
        f"`{name}` is not a Realtime {side} event; did you mean `{near}` "
        f"({dialect(near, 'server' if side == 'server' else 'client')})?"
    )
