"""Checks a wire log against the response-slot invariants, from what the client knew.

The checker replays the log in order and keeps the client's view: which
responses it had seen start (``response.created``) and not yet end
(``response.done``), which of its ``response.create`` events were still
unanswered (neither ``response.created`` nor a rejection yet), and which user
turns had no response after them, for each connection (``conn``) apart.
The codes it reports (``TR001`` to ``TR003`` violations, ``TR100`` races) are
described in :mod:`rtlint.runtime.trace_codes` (``rtlint rule TR001``).

Errors caused by a ``TR001``/``TR002`` event are part of that violation, not
races. Races are reported apart; only unrecovered ones make the log fail.
Out-of-band responses (``conversation: "none"``, ``conversation_id: null``)
never count as active, never answer a turn, and their creates are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rtlint.runtime.events import (
    ACTIVE_RESPONSE,
    CANCEL_NOT_ACTIVE,
    Event,
    error_code,
    error_event_id,
    event_type,
    is_default_response,
    is_user_turn,
    mapping,
    requests_out_of_band,
)
from rtlint.runtime.wirelog import WireRecord

Category = Literal["violation", "race"]


@dataclass(frozen=True)
class Finding:
    """One problem in a wire log; ``recovered`` is set for races only."""

    code: str
    message: str
    line: int
    category: Category
    recovered: bool | None = None

    @property
    def fails(self) -> bool:
        """Whether this finding makes the log fail (violations and unrecovered races)."""
        return self.category == "violation" or self.recovered is False


def check_records(records: Sequence[WireRecord]) -> list[Finding]:
    """Every finding in ``records`` (in log order), violations first, then races."""
    checker = _Checker()
    for index, record in enumerate(records):
        checker.feed(index, record)
    findings = checker.finish()
    return sorted(findings, key=lambda f: (f.category != "violation", f.line, f.code))


@dataclass(eq=False)
class _Sent:
    """A ``response.create`` or ``response.cancel`` the client sent."""

    index: int
    line: int
    event_id: str | None
    violation: bool
    outcome: Literal["pending", "accepted", "rejected"] = "pending"


@dataclass
class _Session:
    """The client's view of one connection."""

    active: dict[str, int] = field(default_factory=dict)  # response id → line of response.created
    default_id: str | None = None
    unanswered: list[_Sent] = field(default_factory=list)  # creates with no created/error yet
    creates: list[_Sent] = field(default_factory=list)
    cancels: list[_Sent] = field(default_factory=list)
    turns: dict[str, int] = field(default_factory=dict)  # user items with no response yet → line


@dataclass
class _Race:
    index: int
    line: int
    message: str
    session: _Session
    create: _Sent | None


class _Checker:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.races: list[_Race] = []
        self.sessions: dict[str | None, _Session] = {}
        """The current session of each connection (``conn``; None in a one-connection log)."""
        self.session = _Session()

    def feed(self, index: int, record: WireRecord) -> None:
        event, line, kind = record.event, record.line or index + 1, event_type(record.event)
        self.session = self.sessions.setdefault(record.conn, _Session())
        if record.dir == "sent":
            if kind == "response.create" and not requests_out_of_band(event):
                self._create(index, line, event)
            elif kind == "response.cancel":
                self._cancel(index, line, event)
        elif kind == "session.created":
            self.session = self.sessions[record.conn] = _Session()
        elif kind == "response.created":
            self._created(line, mapping(event.get("response")))
        elif kind == "response.done":
            self._done(mapping(event.get("response")))
        elif kind == "error":
            self._error(index, line, event)
        elif kind == "conversation.item.added":
            item = mapping(event.get("item"))
            if is_user_turn(item):
                self.session.turns.setdefault(str(item.get("id")), line)

    def _violation(self, code: str, line: int, message: str) -> None:
        self.findings.append(Finding(code, message, line, "violation"))

    def _create(self, index: int, line: int, event: Event) -> None:
        s = self.session
        if s.default_id is not None:
            started = s.active[s.default_id]
            why = f"{s.default_id} (response.created at line {started}) was still active"
        elif s.unanswered:
            why = f"the response.create of line {s.unanswered[-1].line} was still unanswered"
        else:
            why = ""
        if why:
            self._violation("TR001", line, f"response.create sent while {why}")
        sent = _Sent(index, line, _str(event.get("event_id")), bool(why))
        s.unanswered.append(sent)
        s.creates.append(sent)

    def _cancel(self, index: int, line: int, event: Event) -> None:
        s, wanted = self.session, event.get("response_id")
        if isinstance(wanted, str):
            ok = wanted in s.active
            what = f"response.cancel of {wanted} sent while it was not active"
        else:
            ok = s.default_id is not None or bool(s.unanswered)
            what = "response.cancel sent with no response active or requested"
        if not ok:
            self._violation("TR002", line, what)
        s.cancels.append(_Sent(index, line, _str(event.get("event_id")), not ok))

    def _created(self, line: int, response: Mapping[str, Any]) -> None:
        s, rid = self.session, str(response.get("id"))
        s.active[rid] = line
        if not is_default_response(response):
            return
        s.default_id = rid
        s.turns.clear()
        if s.unanswered:  # the oldest create is answered (unless an error says otherwise)
            s.unanswered.pop(0).outcome = "accepted"

    def _done(self, response: Mapping[str, Any]) -> None:
        s, rid = self.session, str(response.get("id"))
        s.active.pop(rid, None)
        if rid == s.default_id:
            s.default_id = None

    def _error(self, index: int, line: int, event: Event) -> None:
        s, code, cause = self.session, error_code(event), error_event_id(event)
        if code == ACTIVE_RESPONSE:
            create = _match(s.creates, cause, s.unanswered)
            if create is None:
                return
            if create in s.unanswered:
                s.unanswered.remove(create)
            create.outcome = "rejected"
            if not create.violation:
                message = (
                    f"response.create of line {create.line} rejected with {ACTIVE_RESPONSE}: "
                    "the server had started a response the client had not seen yet"
                )
                self.races.append(_Race(index, line, message, s, create))
        elif code == CANCEL_NOT_ACTIVE:
            open_cancels = [c for c in s.cancels if c.outcome == "pending"]
            cancel = _match(s.cancels, cause, open_cancels)
            if cancel is None:
                return
            cancel.outcome = "rejected"
            if not cancel.violation:
                message = (
                    f"response.cancel of line {cancel.line} rejected with {CANCEL_NOT_ACTIVE}: "
                    "the response ended before the cancel arrived"
                )
                self.races.append(_Race(index, line, message, s, None))

    def finish(self) -> list[Finding]:
        for session in self.sessions.values():
            for item_id, line in session.turns.items():
                message = f"user turn {item_id} added here was never followed by a response"
                self._violation("TR003", line, message)
        for race in self.races:
            recovered = race.create is None or any(
                c.index > race.index and c.outcome == "accepted" for c in race.session.creates
            )
            self.findings.append(Finding("TR100", race.message, race.line, "race", recovered))
        return self.findings


def _match(sent: list[_Sent], cause: str | None, open_ones: list[_Sent]) -> _Sent | None:
    """The event an error answers: named by ``error.event_id``, else the oldest open one.

    Without a cause and nothing open, a create taken as accepted was in fact
    rejected (the ``response.created`` was the server's own): the latest one.
    """
    if cause is not None:
        for candidate in sent:
            if candidate.event_id == cause:
                return candidate
    if open_ones:
        return open_ones[0]
    accepted = [c for c in sent if c.outcome == "accepted"]
    return accepted[-1] if accepted else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
