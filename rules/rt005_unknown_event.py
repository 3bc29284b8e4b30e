"""RT005 unknown-event."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import CLIENT, LIFECYCLE_TOKENS, SERVER, Direction, dialect
from rtlint.diagnostics import Diagnostic, Fix
from rtlint.fixes.event_renames import cancelled_to_done, rename
from rtlint.rule import Context, Example, Rule
from rtlint.vocabulary import norm

CANCELLED = "response.cancelled"


class UnknownEvent(Rule):
    """
    ## What it does
    Flags a Realtime event name the protocol does not have: a handler keyed on
    `response.cancelled` (the server never sends it), and a server or client event name
    misspelled in its separators (`response.output_audio_delta`,
    `response.audio.transcript.delta`). Both dialects are accepted (`response.text.delta`
    is beta, `response.output_text.delta` is GA); the message names the right spelling and
    the dialect it belongs to.

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

    ## Fix safety
    A misspelling that stands for one real name (only its separators differ) is renamed:
    safe when the name is a plain string literal compared with the incoming type (`==`, a
    `case`, `.on("…", handler)`) and no handler of the real name exists yet (else only a
    suggestion: two handlers would both run); unsafe for a client event's `type` (what is
    sent changes).

    A `response.cancelled` branch of an `if`/`elif` chain becomes
    `kind == "response.done" and event["response"]["status"] == "cancelled"` (a `match`
    case gets the status check as its guard): safe in Python, unsafe in TypeScript (the
    event's declared type may lack `response`). When the same `if`/`elif` chain already
    has a `response.done` branch, the suggestion (never applied) moves the handler's body
    into that branch under the status check: how the two combine is for its author. A
    `switch` case or a listener has no fix. The fixer applies nothing that would add a
    finding (a flag now cleared only for `cancelled` responses is RT004's).

    ## Known limitations
    Other unknown names are not reported: OpenAI-compatible services (xAI, GPT Live) add
    events of their own in the same namespaces. Only dotted names in a Realtime namespace
    (`response.`, `conversation.`, `input_audio_buffer.`, `session.` ...) that are compared
    with an incoming event's type, registered with `.on(...)`, or sent as a `type` are
    judged. Names built at run time are not seen.
    """

    code = "RT005"
    tokens = LIFECYCLE_TOKENS
    name = "unknown-event"
    summary = "an event name the Realtime protocol does not have (`response.cancelled`)"
    fix_title = "Use the real event name (`response.done` with a status check for `cancelled`)"

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
                key = (ref.span.start_byte, ref.span.end_byte)
                if ref.name in CLIENT | SERVER or key in seen:
                    continue
                message = _message(ref.name, ref.direction)
                if message is not None:
                    seen.add(key)
                    fix: Fix | None
                    if ref.name == CANCELLED:
                        fix = cancelled_to_done(ctx.module, ctx.active_state, ref)
                    else:
                        spelled = _spelled(ref.name, ref.direction)
                        fix = None if spelled is None else rename(ctx.module, adapter, ref, spelled)
                    yield self.diagnostic(ctx, ref.span, message, fix=fix)


def _message(name: str, direction: Direction) -> str | None:
    """Why ``name`` is wrong; None when it may belong to a protocol rtlint does not know."""
    if name == CANCELLED:
        return (
            "the server never sends `response.cancelled`: a cancelled response ends with "
            '`response.done` and `response.status == "cancelled"`; handle that instead'
        )
    spelled = _spelled(name, direction)
    if spelled is None:
        return None  # xAI, GPT Live and other dialects add names of their own
    return (
        f"`{name}` is not a Realtime {direction} event: the {dialect(spelled, direction)} "
        f"name is `{spelled}`"
    )


def _spelled(name: str, direction: Direction) -> str | None:
    """The one known ``direction`` event ``name`` misspells (separators aside), if one."""
    known = SERVER if direction == "server" else CLIENT
    matches = [k for k in known if norm(k) == norm(name)]
    return matches[0] if len(matches) == 1 else None
