"""The TypeScript reference adapter, compiled with ``tsc``, runs against ``rtlint emulate``.

Like the Python adapter's tests: requests coalesce, a rejected create is re-pended and
re-sent, a dropped connection resets the slot, and every wire log passes ``rtlint
trace``. ``typescript`` and ``ws`` are installed from npm once into a cache directory
outside the repository (``RTLINT_NODE_CACHE``, default ``~/.cache/rtlint/node-…``);
later runs reuse it offline. Without Node.js the tests are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rtlint.runtime import audio
from rtlint.runtime.events import ACTIVE_RESPONSE
from rtlint.runtime.trace import check_records
from rtlint.runtime.wirelog import WireRecord, read_wire_log

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "examples" / "typescript" / "realtime_adapter.ts"
DRIVER = Path(__file__).with_name("typescript_driver.cjs")
NODE = shutil.which("node")
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None,
    reason="Node.js (node and npm) is not installed: the TypeScript adapter cannot be run",
)


@pytest.fixture(scope="session")
def compiled(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The adapter compiled by ``tsc --strict`` (a type error fails here)."""
    out = tmp_path_factory.mktemp("typescript")
    tsc = node_modules / "typescript" / "bin" / "tsc"
    options = ["--strict", "--target", "es2022", "--module", "commonjs", "--lib", "es2022,dom"]
    run = subprocess.run(
        [str(NODE), str(tsc), *options, "--outDir", str(out), str(ADAPTER)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return out / "realtime_adapter.js"


@contextlib.contextmanager
def emulate(*knobs: str) -> Iterator[str]:
    """``rtlint emulate --port 0 KNOBS`` in a subprocess; yields its URL."""
    command = [sys.executable, "-m", "rtlint", "emulate", "--port", "0", *knobs]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:"), proc.stderr.read() if proc.stderr else url
        yield url
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def drive(compiled: Path, node_modules: Path, url: str, scenario: str, log: Path) -> dict[str, Any]:
    env = {**os.environ, "NODE_PATH": str(node_modules)}
    env["SPEECH"] = audio.encode(audio.tone(100) + audio.silence(100))
    run = subprocess.run(
        [str(NODE), str(DRIVER), str(compiled), url, scenario, str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    summary: dict[str, Any] = json.loads(run.stdout)
    return summary


def kinds(records: list[WireRecord], direction: str | None = None) -> list[str]:
    return [r.event["type"] for r in records if direction in (None, r.dir)]


def passes_trace(log: Path) -> list[WireRecord]:
    """The log's records, after asserting ``rtlint trace`` exits 0 on it."""
    run = subprocess.run(
        [sys.executable, "-m", "rtlint", "trace", str(log)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return read_wire_log(log)


def test_requests_during_a_response_are_coalesced(
    compiled: Path, node_modules: Path, tmp_path: Path
) -> None:
    log = tmp_path / "coalesce.jsonl"
    with emulate("--deltas", "20", "--delta-interval", "0.01") as url:
        drive(compiled, node_modules, url, "coalesce", log)
    records = passes_trace(log)
    assert check_records(records) == []
    names = kinds(records)
    assert names.count("response.create") == 2, "five requests while busy: one create"
    assert names.index("response.create", names.index("response.done")) > names.index(
        "response.done"
    )
    assert "error" not in names


def test_a_rejected_create_is_pended_again_and_resent(
    compiled: Path, node_modules: Path, tmp_path: Path
) -> None:
    log = tmp_path / "rejection.jsonl"
    knobs = ("--server-vad", "--vad-silence-ms", "60", "--latency", "0.03", "--deltas", "3")
    with emulate(*knobs, "--delta-interval", "0.01") as url:
        drive(compiled, node_modules, url, "rejection", log)
    records = passes_trace(log)
    errors = [r for r in records if r.event["type"] == "error"]
    assert [e.event["error"]["code"] for e in errors] == [ACTIVE_RESPONSE], "a real race"
    [race] = check_records(records)
    assert (race.code, race.recovered) == ("TR100", True)
    after = kinds(records[records.index(errors[0]) :])
    assert "response.create" in after[after.index("response.done") :], "re-sent after the done"


def test_a_dropped_connection_resets_the_slot(
    compiled: Path, node_modules: Path, tmp_path: Path
) -> None:
    log = tmp_path / "reconnect.jsonl"
    knobs = ("--deltas", "6", "--delta-interval", "0.01", "--drop-mid-response", "--drops", "1")
    with emulate(*knobs) as url:
        summary = drive(compiled, node_modules, url, "reconnect", log)
    assert summary == {
        "pendingBeforeDrop": 1,
        "afterDrop": {"state": "idle", "pending": 0},
        "refused": True,
        "closed": "closing",
    }
    records = passes_trace(log)
    assert check_records(records) == []
    assert kinds(records, "received").count("session.created") == 2
