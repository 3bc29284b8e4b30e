"""RT001 unguarded-response-create."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.diagnostics import Diagnostic, Related
from rtlint.fixes import fix_for
from rtlint.rule import Context, Example, Rule


class UnguardedResponseCreate(Rule):
    """
    ## What it does
    Flags every `response.create` client event that can be sent while another
    response is still active: no check of the active-response state dominates
    the send, on some path from the start of its function.

    ## Why is this bad?
    The Realtime API allows one response in flight per conversation. A second
    `response.create` is rejected with `conversation_already_has_active_response`
    ("Conversation already has an active response in progress"): the user's turn
    is dropped, or the session wedges waiting for a response that never comes.
    Adapters send `response.create` from many places (audio committed, text
    sent, tool result returned, greeting, reconnect); fixing one site and missing
    the next is the usual story.

    ## Example
    ```python
    async def send_text(self, text: str) -> None:
        await self._send({"type": "conversation.item.create", "item": item(text)})
        await self._send({"type": "response.create"})
    ```

    ## Use instead
    Track the active response (set when the create is sent or `response.created`
    arrives, cleared on every `response.done` and on disconnect), and defer a
    request made while one is active; flush it once the active one ends:
    ```python
    async def send_text(self, text: str) -> None:
        await self._send({"type": "conversation.item.create", "item": item(text)})
        if self._response_active:
            self._response_requested = True
            return
        self._response_active = True
        await self._send({"type": "response.create"})
    ```

    ## What counts as a guard
    On every path from the function's entry to the send, a branch was taken that
    proves no response is active, and nothing since may have started one (another
    `response.create`, or a call to a function of the same file that may send one):

    - an active-state flag or predicate tested false (`if not self._response_active`,
      `if (this.isResponseActive()) return;`), an idle predicate tested true
      (`can_create_response()`), a state compared with an idle member
      (`self._state is State.IDLE`) or unequal to a busy one (`state !== "responding"`),
      through `not`/`!`, `and`/`or`/`&&`/`||`, `assert`, early `return`/`raise`/`throw`/
      `continue`/`break`, `else` branches and a local copy of the flag;
    - the branch that handles an incoming `response.done` (or a handler registered for
      it), and a statement that clears the active state (`self._response_active = False`)
      where a response ends: in that branch or handler, an `error` branch, a close/disconnect
      path, a fresh-connection handler, or a private helper (judged at its call sites). A
      clear anywhere else is forced (RT011) and proves nothing;
    - a fresh connection: after a `connect()` call, in `session.created` branches and in
      handlers for `open`/`connect`. Sending a greeting there is the documented
      one-shot pattern;
    - being inside a *deferral helper* (a function whose own sends are all guarded),
      or a call routed to a sequencer (`request_response()`, `enqueue…`, `schedule…`,
      `defer…`);
    - for a private helper (`_name`, `#name`, TS `private`): every call site in the
      file is guarded. Otherwise the finding names the unguarded call chain.

    ## Where findings are reported
    On the statement that sends. In addition, a **public** function or method that sends
    with no check of its own puts the check on its callers (as Clang's `REQUIRES` does):
    each call of it that no check guards is a finding too, with the send as a related
    location, in the same file and — through the project model — in others (a service
    method called through an attribute typed by its constructor, an SDK emitter resolved
    through imports). Guarding or deferring inside the method (its fix) makes every call
    compliant. Calls of a private helper are not reported separately: the helper's finding
    names the chain. Not reported as calls: a function that tells its argument apart
    (`match event:`, `if event["type"] == …`), which is judged by the event each call
    passes, and a coroutine or task started to run later.

    State read through `self`/`this`, module or closure variables guards every send in
    the function; state read through a parameter guards only sends through that same
    parameter. Look-alikes (socket open, session ready, turn-detection mode, playback
    flags) are not guards. All names are configurable (see the README's vocabulary).

    Out-of-band responses (`"response": {"conversation": "none"}`) may run beside the
    active one and are not flagged; neither is Responses-API traffic (`input`, `model`,
    `previous_response_id` payloads, a `/responses` endpoint, a Responses WebSocket
    client import), which shares the event name, nor an event handed to a conversion,
    serialisation or assertion helper (test code).

    ## Fix safety
    The fix follows what the class already has, best first; its safety is proven on the
    code, not assumed from names:

    - **Route through a request entry** (safe): the class has a method that takes no
      arguments and only requests or defers one response: on every path it checks the
      state itself, then sends exactly one `response.create` or sets a flag the class
      flushes where responses end, and does nothing else (no commit, no close, no other
      event). A flush that sends only when a request is already pending is not one, nor is
      a greeting compliant only because it runs on `session.created`. A send of a bare
      `{"type": "response.create"}` becomes a call to it.
    - **Wrap in the class's own flags** (safe for a bare event): the class has an
      active-state flag and a deferred-request flag that, set alone, makes its
      `response.done` handling send (not a flag flushed only when another is set too);
      the send becomes `if <active>: <deferred> = True` / `else: <send>` (an early
      `return` when the send ends the method). The slot is reserved first (`<active> = True`)
      only when the class reserves before its other sends. *Unsafe* when the event carries
      options (`"response": {...}`): a deferred request is flushed later by the class's own
      code, without them. Not offered when a path from the send writes the deferred flag
      again before the method returns (the deferral would be lost), where the code has just
      seen a response active (the test's polarity is wrong: only its author can tell what
      was meant), nor inside `response.done` handling (the response has already ended).
    - **Add the deferral** (unsafe): only an active-state flag exists. The fix adds one
      deferred-request flag (initialised beside the active flag), the guard at each send, and
      the flush right where the `response.done` handler clears the active flag — only when
      that place is unambiguous, sends nothing after it, and the class does not queue its
      requests already.
    - Otherwise a **display-only** suggestion shows the pattern with conventional names, in
      the file's naming style and with the function's own receiver (none in a free function).

    An emission reached through a private helper is fixed in the helper: its guard makes
    every caller compliant. No fix is offered where the statement cannot be rewritten alone
    (it shares its line, or re-indenting it would change a multi-line string).

    ## Known limitations
    - Closures (lambdas, arrow functions, callbacks passed to `setTimeout`, `.then`,
      `create_task`, event emitters) run later: they never inherit the guard of the code
      that creates them and must check the state themselves. Local coroutines started
      without being awaited (`create_task(self._loop())`, an un-awaited promise) do not
      inherit a fresh connection either.
    - An `await` between the check and the send lets other tasks run; the guard is still
      taken to hold there.
    - Data passed through queues or injected callbacks (`this.sendEventNow(pending.event)`)
      is not followed. Helpers in other files are resolved through imports and receiver
      types (the project model), one file deep: a file read for another's sake sees the
      constants of its own imports, not their helpers.
    - A loop that sends, then drains events until `response.done` through an iterator
      that may end (`async for event in conn`), is flagged on the second iteration; use
      `while True` with a `break` on `response.done`.
    """

    code = "RT001"
    name = "unguarded-response-create"
    summary = "`response.create` can be sent while a response is still active"
    tokens = ("response.create",)
    vocabulary_tokens = (("emitter_helpers", "word"), ("create_event_classes", "ending"))
    fix_title = "Check the active-response state first and defer the request until `response.done`"

    valid = (
        Example(
            """
            import json

            class Adapter:
                async def on_audio_committed(self):
                    if self._response_active:
                        self._response_requested = True
                        return
                    self._response_active = True
                    await self.ws.send(json.dumps({"type": "response.create"}))
            """
        ),
        Example(
            """
            class Adapter {
              commit(): void {
                if (!this.isResponseActive()) {
                  this.ws.send(JSON.stringify({ type: "response.create" }));
                } else {
                  this.pendingResponse = true;
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
            import json

            class Adapter:
                async def send_text(self, text):
                    await self.ws.send(json.dumps({"type": "conversation.item.create"}))
                    await self.ws.send(json.dumps({"type": "response.create"}))  # expect: RT001
            """
        ),
        Example(
            """
            class Adapter {
              onToolResult(output: string): void {
                if (this.responseActive) {
                  console.log("busy");
                }
                this.ws.send(JSON.stringify({ type: "response.create" })); // expect: RT001
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for finding in ctx.active_state.unguarded:
            emission = finding.emission
            if finding.call is not None and finding.callee is not None:
                line = emission.call.span.line
                yield self.diagnostic(
                    ctx,
                    finding.call.span,
                    f"`{finding.callee.name}` can send `response.create` (line {line}) with no "
                    "active-response check of its own, and is called here without one",
                    related=(Related(emission.call.span, "`response.create` is sent here"),),
                )
                continue
            if finding.chain:
                chain = " → ".join(f"`{name}`" for name in finding.chain)
                message = (
                    f"`response.create` in `{finding.function.name}` can be sent while a "
                    f"response is active: reached without a guard via {chain}"
                )
            else:
                message = (
                    "`response.create` can be sent while a response is active: no "
                    "active-response check guards this send"
                )
            related: tuple[Related, ...] = ()
            event = emission.event
            if event is not None and not emission.call.span.contains(event.span):
                related = (Related(event.span, "the `response.create` event is built here"),)
            fix = fix_for(
                ctx.module, ctx.active_state, finding, ctx.vocab, ctx.edits, ctx.lifecycle
            )
            yield self.diagnostic(ctx, emission.call.span, message, fix=fix, related=related)
