"""The codes ``rtlint trace`` reports: the one place their names, summaries and pages live.

``rtlint rule TR001`` prints a page, and ``docs/rules/`` holds it, as for source rules;
these are not source rules, so ``--select`` does not know them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

from rtlint.rule import DOCS_URL

Category = Literal["violation", "race"]


@dataclass(frozen=True)
class TraceCode:
    """A wire-log finding's code, with the fields a rule page shows."""

    code: str
    name: str
    summary: str
    category: Category
    explanation: str
    """Markdown: what it means and what to do."""
    languages: tuple[str, ...] = ()
    """No source language: it is found in wire logs."""
    fix_title: str | None = None

    @property
    def severity(self) -> str:
        return "error" if self.category == "violation" else "warning"

    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def documentation(self) -> str:
        found = textwrap.dedent(_HOW_IT_IS_FOUND).strip()
        return f"{textwrap.dedent(self.explanation).strip()}\n\n## How it is found\n{found}"


_HOW_IT_IS_FOUND = """
    `rtlint trace LOG.jsonl …` replays a wire log (the events one client sent and
    received, as JSON lines; the emulator's log tells concurrent connections apart
    by `conn`) and keeps the client's view: which responses it had seen start and
    not yet end, which of its `response.create` events were unanswered, and which
    user turns had no response after them. Out-of-band responses
    (`conversation: "none"`) never count as active and never answer a turn.
"""

TRACE_CODES = (
    TraceCode(
        "TR001",
        "create-while-active",
        "A response.create was sent while the client had seen a response still active",
        "violation",
        """
        ## What it means
        A default-conversation `response.create` was sent while the client had seen an
        active default-conversation response (`response.created` without its
        `response.done`), or while its previous `response.create` was still unanswered.
        The server rejects one of them with `conversation_already_has_active_response`.

        ## What to do
        Guard the send on the response state and defer the request until
        `response.done` (`rtlint check` finds the unguarded send in the source: RT001).
        """,
    ),
    TraceCode(
        "TR002",
        "cancel-while-idle",
        "A response.cancel was sent with no response seen active or requested",
        "violation",
        """
        ## What it means
        `response.cancel` was sent with nothing seen active (nor requested); with a
        `response_id`, that response was not seen active. The server answers
        `response_cancel_not_active`.

        ## What to do
        Cancel only while a response is active, the one named by `response.created`.
        """,
    ),
    TraceCode(
        "TR003",
        "unanswered-turn",
        "A user turn was never followed by a response",
        "violation",
        """
        ## What it means
        A user turn (a user message or tool output added to the conversation) had no
        default-conversation `response.created` after it by the end of the log: a
        request was dropped. A lost connection loses its conversation: turns of a
        session that ended (a new `session.created`) are not carried over.

        ## What to do
        When a request arrives while a response is active, remember it and send the
        `response.create` on `response.done` instead of dropping it.
        """,
    ),
    TraceCode(
        "TR100",
        "response-race",
        "A create or cancel sent in good faith was rejected: the server's state had changed",
        "race",
        """
        ## What it means
        A `conversation_already_has_active_response` or `response_cancel_not_active`
        error answered an event the client had sent in good faith: the server's state
        changed while the event was in flight (for example server VAD started a
        response). A create race is *recovered* when a later `response.create` of the
        same session was accepted; a cancel race has nothing to redo and is always
        recovered. Only unrecovered races make the log fail. Errors caused by a
        TR001/TR002 event are part of that violation, not races.

        ## What to do
        Treat the rejection as "a response is active": keep the request pending and
        send it again on `response.done`.
        """,
    ),
)


def by_selector(selector: str) -> list[TraceCode]:
    """Trace codes matching a code (``TR001``), a code prefix (``TR``) or a name."""
    sel = selector.strip()
    return [c for c in TRACE_CODES if c.code.startswith(sel.upper()) or c.name == sel.lower()]
