"""RT004 active-state-not-cleared."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import LIFECYCLE_TOKENS, SERVER
from rtlint.analysis.fatal_errors import may_end_session
from rtlint.analysis.lifecycle import Adapter, Field, shown, terminal_paths, where
from rtlint.diagnostics import Diagnostic, Related
from rtlint.fixes.lifecycle_edits import reset_at_start
from rtlint.rule import Context, Example, Rule
from rtlint.vocabulary import Vocabulary


class ActiveStateNotCleared(Rule):
    """
    ## What it does
    Flags an active-response state (flag, id, state enum, event) that some terminal path
    leaves set:

    - no `response.done` path clears it at all;
    - the `response.done` path clears it only for some statuses (`if status == "completed"`);
    - the adapter has a close/disconnect path (`close()`, `on_close`, the `finally` of its
      receive loop) that does not clear it;
    - the adapter reserves the slot when it sends `response.create`, and its `error`
      handler never clears it and ends the session for no error (a handler that ends it
      for the errors other than `conversation_already_has_active_response`, whose active
      response clears the slot with its own `response.done`, is fine).

    ## Why is this bad?
    `response.done` arrives for every response whatever its outcome: `completed`,
    `cancelled` (barge-in, `response.cancel`), `failed` or `incomplete`. A flag cleared
    only on success stays set after the first interruption, and from then on every
    request is deferred or dropped: the agent goes silent. A flag left set when the
    connection closes does the same to the next session. A create the server rejects
    (`conversation_already_has_active_response`, or any `error` whose `event_id` is the
    create's) gets no `response.created` and no `response.done`: a reservation made at the
    send must be given back by the `error` handler, or it is never released.

    ## Example
    ```python
    elif kind == "response.done":
        if event["response"]["status"] == "completed":
            self._response_active = False
    ```

    ## Use instead
    ```python
    elif kind == "response.done":
        self._response_active = False
    ```
    and clear it in `close()` / the `finally` of the receive loop too.

    ## Fix safety
    For a close method that leaves the state set, an unsafe fix clears it (to the value the
    adapter clears it with elsewhere) as the method's first statement. The other cases have
    no fix: where the clear belongs depends on the handler.

    ## Preview
    This rule is in preview: on real projects it has not seen, it reported fields that are
    not response state (a mutex held in `async with`, a stream-state enum) and close paths
    of objects that are never reused after closing (6 of 7 findings were false).

    ## Known limitations
    A `response.done` path that returns early for another response's id (correlation) is
    fine; only a branch on the response's status is taken as "some statuses". Clearing done
    by another object (`self._session.reset()`) is not seen.
    """

    code = "RT004"
    tokens = LIFECYCLE_TOKENS
    name = "active-state-not-cleared"
    summary = "a terminal path (`response.done` of any status, close) leaves the active state set"
    preview = True
    fix_title = "Clear the active state at the start of the close method"

    valid = (
        Example(
            """
            class Adapter:
                def _receive(self, event):
                    if event["type"] == "response.created":
                        self._response_active = True
                    elif event["type"] == "response.done":
                        self._response_active = False

                async def close(self):
                    self._response_active = False
                    await self.ws.close()
            """
        ),
        Example(
            """
            class Adapter {
              private responseActive = false;
              receive(event: { type: string }): void {
                if (event.type === "response.created") this.responseActive = true;
                else if (event.type === "response.done") this.responseActive = false;
              }
              close(): void {
                this.responseActive = false;
                this.ws.close();
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
                    if event["type"] == "response.created":
                        self._response_active = True
                    elif event["type"] == "response.done":
                        if event["response"]["status"] == "completed":
                            self._response_active = False  # expect: RT004
            """
        ),
        Example(
            """
            class Adapter {
              private responseActive = false;
              receive(event: { type: string }): void {
                if (event.type === "response.created") this.responseActive = true; // expect: RT004
                else if (event.type === "response.done") this.responseActive = false;
              }
              close(): void {
                this.ws.close();
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for adapter in ctx.lifecycle.adapters:
            for f in adapter.role("active"):
                yield from self._field(ctx, adapter, f, ctx.vocab)

    def _field(
        self, ctx: Context, adapter: Adapter, f: Field, vocab: Vocabulary
    ) -> Iterator[Diagnostic]:
        sets = sorted((w for w in f.writes if w.action == "set"), key=lambda w: w.span)
        if not sets:
            return
        first = sets[0]
        name = shown(f.name)
        yield from self._rejected_create(ctx, adapter, f)
        done = terminal_paths(adapter, vocab)
        events = [p for p in adapter.paths if p.kind == "event"]
        if not any(p.may(f.name, "clear") for p in done):
            elsewhere = [p for p in events if p.label not in SERVER and p.may(f.name, "clear")]
            if events and not elsewhere:  # a clear on an unknown event is RT005's finding
                yield self.diagnostic(
                    ctx, first.span,
                    f"`{name}` is set here but never cleared when `response.done` arrives: "
                    "after the first response every request is refused",
                )  # fmt: skip
            return
        reported: set[int] = set()
        for path in done:
            if (f.name, "clear") in path.certain:
                continue
            for clear in path.status_clears:
                if clear.field != f.name or clear.span.start_byte in reported:
                    continue
                reported.add(clear.span.start_byte)
                yield self.diagnostic(
                    ctx, clear.span,
                    f"`{name}` is cleared on `response.done` only for some statuses: a "
                    "`response.done` with status `cancelled`, `failed` or `incomplete` leaves "
                    "it set; clear it on every `response.done`",
                    related=(Related(first.span, f"`{name}` is set here"),),
                )  # fmt: skip
        closes = adapter.paths_of("close")
        if closes and not any(p.may(f.name, "clear") or p.may(f.name, "other") for p in closes):
            close = closes[0]
            title = f"Clear `{name}` at the start of `{close.label}`"
            yield self.diagnostic(
                ctx, first.span,
                f"`{name}` is set here but never cleared when the connection closes "
                f"({where(close)})",
                fix=reset_at_start(ctx.module, adapter, f, close, title),
                related=(Related(close.span, "the close path that leaves it set"),),
            )  # fmt: skip

    def _rejected_create(self, ctx: Context, adapter: Adapter, f: Field) -> Iterator[Diagnostic]:
        """The slot reserved at the send, and an ``error`` handler that never gives it back."""
        sends = sorted((s for s in adapter.sends if f.name in s.fields), key=lambda s: s.span)
        errors = adapter.paths_of("event", "error")
        if not sends or not errors:
            return
        if any(p.may(f.name, "clear") or p.may(f.name, "other") for p in errors):
            return
        index = ctx.active_state.index
        if any(may_end_session(p.body, ctx.module.functions[p.function], index) for p in errors):
            # It ends the session for some errors: which of them reject our create is its
            # author's call. `conversation_already_has_active_response` means a response is
            # active, and that response's `response.done` clears the slot anyway.
            return
        handler = errors[0]
        name = shown(f.name)
        for send in sends:
            before = [w for w in f.writes if w.action == "set" and w.function == send.function
                      and w.span.start_byte < send.span.start_byte]  # fmt: skip
            if not before:
                continue
            reservation = max(before, key=lambda w: w.span.start_byte)
            yield self.diagnostic(
                ctx, reservation.span,
                f"`{name}` is reserved here when `response.create` is sent, but the `error` "
                f"handler ({where(handler)}) never clears it: when the server rejects the "
                "create (`conversation_already_has_active_response`, or any `error` whose "
                f"`event_id` is the create's) no `response.done` follows and `{name}` stays set",
                related=(Related(handler.span, "the `error` handler that keeps it set"),),
            )  # fmt: skip
            return  # one finding per field: the missing clear is in one place
