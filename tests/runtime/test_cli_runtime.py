"""``rtlint trace`` and ``rtlint emulate`` from the command line, and lint-cleanliness."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rtlint import exitcodes
from rtlint.cli import main
from rtlint.runtime import WireLogWriter
from rtlint.runtime.events import ACTIVE_RESPONSE, Event
from tests.runtime.scenario import STEP, RawClient, run

ROOT = Path(__file__).resolve().parents[2]


def write_log(path: Path, *entries: tuple[str, Event]) -> Path:
    with WireLogWriter(path) as log:
        for direction, event in entries:
            log.write("sent" if direction == "sent" else "received", event)
    return path


def created(rid: str) -> tuple[str, Event]:
    return (
        "received",
        {"type": "response.created", "response": {"id": rid, "conversation_id": "c"}},
    )


def done(rid: str) -> tuple[str, Event]:
    return ("received", {"type": "response.done", "response": {"id": rid, "conversation_id": "c"}})


CREATE = ("sent", {"type": "response.create", "event_id": "e1"})
SESSION = ("received", {"type": "session.created", "session": {}})


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_trace_clean_log(tmp_path: Path) -> None:
    log = write_log(tmp_path / "ok.jsonl", SESSION, CREATE, created("r1"), done("r1"))
    code, out, _ = invoke("trace", str(log))
    assert (code, out) == (exitcodes.SUCCESS, "All checks passed! (1 log checked)\n")
    code, out, _ = invoke("trace", str(log), "--output-format", "json")
    assert (code, json.loads(out)) == (exitcodes.SUCCESS, [])


def test_trace_violation_concise_and_json(tmp_path: Path) -> None:
    log = write_log(tmp_path / "bad.jsonl", SESSION, CREATE, created("r1"), CREATE, done("r1"))
    code, out, _ = invoke("trace", str(log))
    assert code == exitcodes.FINDINGS
    first, summary = out.splitlines()
    assert first.startswith(f"{log}:4: TR001 response.create sent while r1")
    assert summary == "Found 1 problem: 1 violation, 0 races (0 not recovered) (1 log checked)"
    code, out, _ = invoke("trace", str(log), "--output-format", "json")
    [finding] = json.loads(out)
    assert code == exitcodes.FINDINGS
    assert finding == {
        "code": "TR001",
        "message": finding["message"],
        "filename": str(log.resolve()),
        "line": 4,
        "category": "violation",
        "recovered": None,
    }


def race_log(path: Path, *, recovered: bool) -> Path:
    error = {"type": "error", "error": {"code": ACTIVE_RESPONSE, "message": "", "event_id": "e1"}}
    entries: list[tuple[str, Event]] = [SESSION, CREATE, created("vad"), ("received", error)]
    entries.append(done("vad"))
    if recovered:
        entries += [
            ("sent", {"type": "response.create", "event_id": "e2"}),
            created("r2"),
            done("r2"),
        ]
    return write_log(path, *entries)


def test_trace_recovered_races_pass_and_unrecovered_ones_fail(tmp_path: Path) -> None:
    code, out, _ = invoke("trace", str(race_log(tmp_path / "a.jsonl", recovered=True)))
    assert code == exitcodes.SUCCESS
    assert "TR100" in out and "(race, recovered)" in out
    log = race_log(tmp_path / "b.jsonl", recovered=False)
    code, out, _ = invoke("trace", str(log), "--output-format", "json")
    assert code == exitcodes.FINDINGS
    assert [(f["code"], f["category"], f["recovered"]) for f in json.loads(out)] == [
        ("TR100", "race", False)
    ]


def test_trace_bad_input_exits_2_with_file_and_line(tmp_path: Path) -> None:
    log = tmp_path / "broken.jsonl"
    log.write_text('{"t": 0, "dir": "sent", "event": {"type": "a"}}\n{"t": 1, "dir": "up"}\n')
    code, out, err = invoke("trace", str(log))
    assert (code, out) == (exitcodes.ERROR, "No problems found (0 logs checked, 1 error)\n")
    assert err == f'rtlint: error: {log}:2: "dir" must be "sent" or "received"\n'
    code, _, err = invoke("trace", str(tmp_path / "missing.jsonl"))
    assert code == exitcodes.ERROR
    assert err.startswith(f"rtlint: error: {tmp_path / 'missing.jsonl'}: cannot read")
    assert "Traceback" not in err


def test_trace_checks_several_logs_each_on_its_own(tmp_path: Path) -> None:
    clean = write_log(tmp_path / "ok.jsonl", SESSION, CREATE, created("r1"))
    # alone, the second log is clean; appended to the first, its create would be a TR001
    second = write_log(tmp_path / "two.jsonl", SESSION, CREATE, created("r2"), done("r2"))
    bad = write_log(tmp_path / "bad.jsonl", SESSION, CREATE, created("r1"), CREATE, done("r1"))
    code, out, _ = invoke("trace", str(clean), str(second))
    assert (code, out) == (exitcodes.SUCCESS, "All checks passed! (2 logs checked)\n")
    missing = tmp_path / "missing.jsonl"
    code, out, err = invoke("trace", str(clean), str(missing), str(bad))
    assert code == exitcodes.ERROR and err.startswith(f"rtlint: error: {missing}: cannot read")
    assert out.splitlines()[0].startswith(f"{bad}:4: TR001 ")
    assert out.splitlines()[-1].endswith("(2 logs checked, 1 error)")
    code, out, _ = invoke("trace", str(clean), str(bad), "--output-format", "json")
    assert code == exitcodes.FINDINGS
    assert [(f["filename"], f["line"]) for f in json.loads(out)] == [(str(bad.resolve()), 4)]
    assert invoke("trace")[0] == exitcodes.ERROR


def test_trace_codes_have_pages_in_rtlint_rule() -> None:
    for code in ("TR001", "TR002", "TR003", "TR100"):
        status, out, _ = invoke("rule", code)
        assert status == exitcodes.SUCCESS and f"({code})" in out.splitlines()[0]
        assert "Found in: wire logs, by `rtlint trace`" in out
    status, out, _ = invoke("rule", "TR", "--output-format", "json")
    assert [c["code"] for c in json.loads(out)] == ["TR001", "TR002", "TR003", "TR100"]
    assert invoke("check", "--select", "TR001")[0] == exitcodes.ERROR  # not a source rule


def test_emulate_refuses_non_loopback_hosts() -> None:
    code, out, err = invoke("emulate", "--host", "0.0.0.0", "--port", "0")
    assert (code, out) == (exitcodes.ERROR, "")
    assert "loopback" in err


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_emulate_as_a_subprocess(tmp_path: Path, stop: signal.Signals) -> None:
    wire_log = tmp_path / "emu.jsonl"

    async def scenario() -> None:
        command = "import sys; from rtlint.cli import main; sys.exit(main())"
        args = [
            "emulate",
            "--port",
            "0",
            "--deltas",
            "2",
            "--delta-interval",
            "0",
            "--wire-log",
            str(wire_log),
        ]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            command,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            url = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode().strip()  # type: ignore[union-attr]
            assert url.startswith("ws://127.0.0.1:")
            async with RawClient(url) as client:
                await client.until("session.created")
                await client.send({"type": "response.create"})
                await client.until("response.done")
            proc.send_signal(stop)
            assert await asyncio.wait_for(proc.wait(), STEP) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

    run(scenario(), timeout=20)
    code, out, _ = invoke("trace", str(wire_log))
    assert (code, out) == (exitcodes.SUCCESS, "All checks passed! (1 log checked)\n")


@pytest.mark.parametrize(
    "path",
    ["rtlint/runtime/adapter.py", "rtlint/runtime", "examples/typescript/realtime_adapter.ts"],
)
def test_rtlint_check_finds_nothing_in_the_reference_patterns(path: str) -> None:
    if "check" not in main.commands:
        pytest.skip("rtlint check is not available yet")
    result = CliRunner().invoke(main, ["check", str(ROOT / path)])
    assert result.exit_code == exitcodes.SUCCESS, result.output
