"""The wire-log checker on hand-written logs: each invariant, races, dialects."""

from __future__ import annotations

from typing import Any

from rtlint.runtime.events import ACTIVE_RESPONSE, CANCEL_NOT_ACTIVE, Event
from rtlint.runtime.trace import Finding, check_records
from rtlint.runtime.wirelog import WireRecord

Entry = tuple[str, Event]


def log(*entries: Entry) -> list[WireRecord]:
    return [WireRecord(float(i), d, e, i + 1) for i, (d, e) in enumerate(entries)]  # type: ignore[arg-type]


def out(kind: str, **fields: Any) -> Entry:
    return ("sent", {"type": kind, **fields})


def got(kind: str, **fields: Any) -> Entry:
    return ("received", {"type": kind, **fields})


SESSION = got("session.created", session={})


def created(rid: str, conversation: str | None = "conv_1") -> Entry:
    return got("response.created", response={"id": rid, "conversation_id": conversation})


def done(rid: str, status: str = "completed", conversation: str | None = "conv_1") -> Entry:
    response = {"id": rid, "status": status, "conversation_id": conversation}
    return got("response.done", response=response)


def user(iid: str, kind: str = "conversation.item.added") -> Entry:
    return got(kind, item={"id": iid, "type": "message", "role": "user"})


def error(code: str | None, cause: str | None = None, message: str = "") -> Entry:
    return got(
        "error",
        error={
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "event_id": cause,
        },
    )


def codes(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings]


def test_a_guarded_conversation_is_clean() -> None:
    records = log(
        SESSION,
        out("conversation.item.create"),
        user("item_1"),
        out("response.create", event_id="e1"),
        created("resp_1"),
        out("conversation.item.create"),  # added mid-response: needs a later response
        user("item_2"),
        done("resp_1"),
        out("response.create", event_id="e2"),
        created("resp_2"),
        out("response.cancel", response_id="resp_2"),
        done("resp_2", "cancelled"),
    )
    assert check_records(records) == []


def test_create_while_active_is_tr001() -> None:
    records = log(
        SESSION, out("response.create"), created("resp_1"), out("response.create"), done("resp_1")
    )
    [finding] = check_records(records)
    assert (finding.code, finding.line, finding.category) == ("TR001", 4, "violation")
    assert "resp_1 (response.created at line 3)" in finding.message
    assert finding.fails


def test_create_while_own_create_unanswered_is_tr001() -> None:
    records = log(
        SESSION,
        out("response.create"),
        out("response.create"),
        created("resp_1"),
        error(ACTIVE_RESPONSE),
    )
    findings = check_records(records)
    assert codes(findings) == [("TR001", 3)]
    assert "response.create of line 2 was still unanswered" in findings[0].message


def test_cancel_then_create_before_done_is_tr001() -> None:
    records = log(
        SESSION,
        out("response.create"),
        created("resp_1"),
        out("response.cancel"),
        out("response.create"),
        done("resp_1", "cancelled"),
    )
    assert codes(check_records(records)) == [("TR001", 5)]


def test_out_of_band_responses_do_not_hold_the_slot_or_answer_turns() -> None:
    records = log(
        SESSION,
        out("response.create", response={"conversation": "none"}),
        created("resp_oob", conversation=None),
        user("item_1"),
        out("response.create"),  # fine: only the out-of-band response is active
        out("response.create", response={"conversation": "none"}),  # fine alongside
        created("resp_1"),
        created("resp_oob2", conversation=None),
        user("item_2"),
        done("resp_oob", conversation=None),
        done("resp_oob2", conversation=None),
        done("resp_1"),
    )
    assert codes(check_records(records)) == [("TR003", 9)]


def test_cancel_with_nothing_active_is_tr002() -> None:
    records = log(
        SESSION,
        out("response.cancel"),
        out("response.create"),
        out("response.cancel"),  # fine: our create is on its way
        created("resp_1"),
        out("response.cancel", response_id="resp_9"),
        done("resp_1", "cancelled"),
        out("response.cancel", response_id="resp_1"),
    )
    assert codes(check_records(records)) == [("TR002", 2), ("TR002", 6), ("TR002", 8)]


def test_unanswered_turns_are_tr003_but_only_at_the_end_of_the_log() -> None:
    records = log(
        SESSION,
        user("item_lost"),  # the connection dropped: that conversation is gone
        SESSION,
        user("item_1"),
        got(
            "conversation.item.added", item={"id": "item_a", "type": "message", "role": "assistant"}
        ),
        got("conversation.item.added", item={"id": "item_s", "type": "message", "role": "system"}),
        got("conversation.item.added", item={"id": "call_1", "type": "function_call_output"}),
    )
    assert codes(check_records(records)) == [("TR003", 4), ("TR003", 7)]


def test_create_race_recovered_by_a_later_accepted_create() -> None:
    records = log(
        SESSION,
        out("response.create", event_id="e1"),
        created("resp_vad"),  # the server's own (VAD) response got there first
        error(ACTIVE_RESPONSE, cause="e1"),
        done("resp_vad"),
        out("response.create", event_id="e2"),
        created("resp_2"),
        done("resp_2"),
    )
    [race] = check_records(records)
    assert (race.code, race.line, race.category, race.recovered) == ("TR100", 4, "race", True)
    assert "response.create of line 2" in race.message
    assert not race.fails


def test_create_race_without_event_id_is_matched_to_the_create() -> None:
    records = log(
        SESSION,
        out("response.create"),
        created("resp_vad"),
        error(None, message="Conversation already has an active response"),  # beta: code null
        done("resp_vad"),
    )
    [race] = check_records(records)
    assert (race.code, race.recovered) == ("TR100", False)
    assert race.fails


def test_race_not_recovered_across_a_reconnect() -> None:
    records = log(
        SESSION,
        out("response.create", event_id="e1"),
        created("resp_vad"),
        error(ACTIVE_RESPONSE, cause="e1"),
        SESSION,
        out("response.create", event_id="e2"),
        created("resp_2"),
        done("resp_2"),
    )
    assert [(f.code, f.recovered) for f in check_records(records)] == [("TR100", False)]


def test_error_caused_by_a_violation_is_not_a_race() -> None:
    records = log(
        SESSION,
        out("response.create", event_id="e1"),
        created("resp_1"),
        out("response.create", event_id="e2"),
        error(ACTIVE_RESPONSE, "e2"),
        done("resp_1"),
    )
    assert codes(check_records(records)) == [("TR001", 4)]


def test_cancel_race_is_recovered_and_tr002_cancel_error_is_not_a_race() -> None:
    records = log(
        SESSION,
        out("response.create"),
        created("resp_1"),
        out("response.cancel", event_id="c1"),
        done("resp_1"),  # finished on its own while the cancel was in flight
        error(CANCEL_NOT_ACTIVE, cause="c1"),
        out("response.cancel", event_id="c2"),
        error(None, message="Cancellation failed: no active response found"),
    )
    findings = check_records(records)
    assert [(f.code, f.line, f.recovered) for f in findings] == [
        ("TR002", 7, None),
        ("TR100", 6, True),
    ]


def test_beta_event_names_are_understood() -> None:
    records = log(SESSION, user("item_1", kind="conversation.item.created"))
    assert codes(check_records(records)) == [("TR003", 2)]


def test_violations_come_before_races() -> None:
    records = log(
        SESSION,
        out("response.create", event_id="e1"),
        created("resp_vad"),
        error(ACTIVE_RESPONSE, cause="e1"),
        out("response.create", event_id="e2"),
        done("resp_vad"),
    )
    assert [f.category for f in check_records(records)] == ["violation", "race"]


def test_connections_are_checked_apart_however_they_interleave() -> None:
    entries = [
        ("a", SESSION),
        ("b", SESSION),
        ("a", out("response.create")),
        ("b", out("response.create")),  # another connection's slot: not a TR001
        ("a", created("resp_a")),
        ("b", created("resp_b")),
        ("a", out("response.create")),  # line 7: its own response is active
        ("b", user("item_b")),  # line 8: answered by nothing on b
        ("a", done("resp_a")),
        ("b", done("resp_b")),
    ]
    records = [
        WireRecord(float(i), d, e, i + 1, conn)  # type: ignore[arg-type]
        for i, (conn, (d, e)) in enumerate(entries)
    ]
    assert codes(check_records(records)) == [("TR001", 7), ("TR003", 8)]
