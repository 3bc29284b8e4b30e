"""The pytest plugin: the ``realtime_emulator`` fixture, its marker and the trace check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

RAW_CLIENT = """
import json

import pytest
from websockets.sync.client import connect


def send(ws, **event):
    ws.send(json.dumps(event))


def wait_for(ws, kind):
    while True:
        event = json.loads(ws.recv(timeout=5))
        if event["type"] == kind:
            return event
"""

TURN = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}


def _outcomes(pytester: pytest.Pytester, source: str) -> tuple[dict[str, int], str]:
    pytester.makepyfile(test_adapter=RAW_CLIENT + source)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    return result.parseoutcomes(), result.stdout.str()


def test_a_clean_conversation_passes_and_a_double_create_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    outcomes, out = _outcomes(
        pytester,
        f"""
def test_clean(realtime_emulator):
    with connect(realtime_emulator.url) as ws:
        wait_for(ws, "session.created")
        send(ws, type="conversation.item.create", item={TURN!r})
        send(ws, type="response.create")
        wait_for(ws, "response.done")


def test_double_create(realtime_emulator):
    with connect(realtime_emulator.url) as ws:
        wait_for(ws, "session.created")
        send(ws, type="conversation.item.create", item={TURN!r})
        send(ws, type="response.create")
        send(ws, type="response.create")
        wait_for(ws, "error")
        wait_for(ws, "response.done")
""",
    )
    assert outcomes == {"passed": 1, "failed": 1}, out
    assert "FAILED test_adapter.py::test_double_create" in out
    assert "ERROR" not in out, "a protocol violation fails the test, not its teardown"
    assert re.search(r"emulator\.wire\.jsonl:\d+: TR001 response\.create sent while", out), out


def test_an_unanswered_turn_fails_and_an_own_failure_is_kept(pytester: pytest.Pytester) -> None:
    outcomes, out = _outcomes(
        pytester,
        f"""
def test_unanswered(realtime_emulator):
    with connect(realtime_emulator.url) as ws:
        wait_for(ws, "session.created")
        send(ws, type="conversation.item.create", item={TURN!r})
        wait_for(ws, "conversation.item.added")


def test_own_failure(realtime_emulator):
    with connect(realtime_emulator.url) as ws:
        wait_for(ws, "session.created")
        send(ws, type="conversation.item.create", item={TURN!r})
        wait_for(ws, "conversation.item.added")
    assert 1 == 2, "the test's own message"


def test_unchecked(realtime_emulator):
    realtime_emulator.check_trace = False
    with connect(realtime_emulator.url) as ws:
        wait_for(ws, "session.created")
        send(ws, type="conversation.item.create", item={TURN!r})
        wait_for(ws, "conversation.item.added")
""",
    )
    assert outcomes == {"passed": 1, "failed": 2}, out
    assert re.search(r"TR003 user turn \S+ added here was never followed by a response", out)
    own = out.split("_ test_own_failure _", 1)[1].split("short test summary info", 1)[0]
    assert "TR003" not in own, "a test that failed by itself keeps its own failure"
    assert "the test's own message" in out


def test_marker_knobs_reach_the_emulator(pytester: pytest.Pytester) -> None:
    outcomes, out = _outcomes(
        pytester,
        """
from rtlint.runtime import TurnDetection


@pytest.mark.realtime_emulator(server_vad=True, barge_in=False, latency=0.01, dialect="beta")
def test_knobs(realtime_emulator):
    config = realtime_emulator.config
    assert config.turn_detection == TurnDetection(interrupt_response=False)
    assert (config.latency, config.dialect) == (0.01, "beta")
    assert realtime_emulator.url.startswith("ws://127.0.0.1:")
    with connect(realtime_emulator.url) as ws:
        created = wait_for(ws, "session.created")
        assert created["session"]["turn_detection"]["interrupt_response"] is False
        send(ws, type="response.create")
        wait_for(ws, "response.audio.done")  # the beta dialect's name


@pytest.mark.realtime_emulator(drop_after_events=1)
def test_drop(realtime_emulator):
    with connect(realtime_emulator.url) as ws:
        wait_for(ws, "session.created")
        with pytest.raises(Exception):
            ws.recv(timeout=5)


@pytest.mark.realtime_emulator(vad=True)
def test_typo(realtime_emulator):
    pass
""",
    )
    assert outcomes == {"passed": 2, "errors": 1}, out
    assert "@pytest.mark.realtime_emulator: unknown knob vad; use keywords among" in out


def test_the_adapters_own_log_is_checked_and_recovered_races_pass(
    pytester: pytest.Pytester,
) -> None:
    outcomes, out = _outcomes(
        pytester,
        """
CREATED = {"type": "response.created", "response": {"id": "resp_1"}}
REJECTED = {"type": "error", "error": {"code": "conversation_already_has_active_response"}}
DONE = {"type": "response.done", "response": {"id": "resp_1"}}


def write_log(path, *lines):
    path.write_text("".join(json.dumps({"t": i, "dir": d, "event": e}) + "\\n"
                            for i, (d, e) in enumerate(lines)))


def test_recovered(realtime_emulator):
    write_log(realtime_emulator.client_wire_log,
              ("received", {"type": "session.created"}),
              ("sent", {"type": "response.create"}), ("received", REJECTED),
              ("received", CREATED), ("received", DONE),
              ("sent", {"type": "response.create"}), ("received", CREATED), ("received", DONE))


def test_unrecovered(realtime_emulator):
    write_log(realtime_emulator.client_wire_log,
              ("received", {"type": "session.created"}),
              ("sent", {"type": "response.create"}), ("received", REJECTED),
              ("received", CREATED), ("received", DONE))
""",
    )
    assert outcomes == {"passed": 1, "failed": 1}, out
    assert "FAILED test_adapter.py::test_unrecovered" in out
    assert "client.wire.jsonl:3: TR100" in out


def test_readme_example_runs(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### In your test suite\n", 1)[1].split("\n#", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the README's pytest section has no python block"
    assert len([line for line in block.group(1).splitlines() if line.strip()]) <= 10
    pytester.makepyfile(test_readme=block.group(1))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
