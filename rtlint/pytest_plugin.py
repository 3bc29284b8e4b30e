"""The pytest plugin (entry point ``pytest11``): the ``realtime_emulator`` fixture.

The fixture starts the emulator in-process (on its own event-loop thread, so sync and
async tests can both use it) on a free loopback port and yields a
:class:`RunningEmulator`: its ``url``, its ``config`` and the wire logs. Knobs come
from the ``realtime_emulator`` marker::

    @pytest.mark.realtime_emulator(server_vad=True, latency=0.05, dialect="beta")

Keywords are the fields of :class:`~rtlint.runtime.config.EmulatorConfig`, plus
``server_vad`` (``True`` or a :class:`~rtlint.runtime.config.TurnDetection`) and
``barge_in`` (server VAD cancels the active response when speech starts).

When the test function returns, the emulator stops and the trace checker reads the
test's wire log: the adapter's own log when it wrote one to ``client_wire_log``
(the client's view, which tells races from violations exactly), else the
emulator's. Violations (TR001-TR003) and unrecovered races fail the test with the
trace report. Set ``check_trace = False`` on the fixture's value to skip the check.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rtlint.runtime.config import EmulatorConfig, TurnDetection
from rtlint.runtime.emulator import Emulator
from rtlint.runtime.trace import Finding, check_records
from rtlint.runtime.wirelog import WireLogError, read_wire_log

MARKER = "realtime_emulator"
KNOBS = (*(f.name for f in dataclasses.fields(EmulatorConfig)), "server_vad", "barge_in")


@dataclass
class RunningEmulator:
    """What the ``realtime_emulator`` fixture yields."""

    url: str
    """``ws://127.0.0.1:PORT``: point the adapter under test here."""
    config: EmulatorConfig
    wire_log: Path
    """The emulator's wire log of this test."""
    client_wire_log: Path
    """Where the adapter may write its own wire log; checked instead when it exists."""
    check_trace: bool = True
    """Run the trace checker when the test returns."""
    _stop: Callable[[], None] | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Close every connection and the wire log (idempotent)."""
        if self._stop is not None:
            stop, self._stop = self._stop, None
            stop()

    def findings(self) -> tuple[Path, list[Finding]]:
        """The log that is checked, and the trace checker's findings in it."""
        log = self.client_wire_log
        if not (log.is_file() and log.stat().st_size):
            log = self.wire_log
        return log, check_records(read_wire_log(log))


def config_from_marker(marker: pytest.Mark | None) -> EmulatorConfig:
    """The emulator configuration the ``realtime_emulator`` marker asks for."""
    knobs = dict(marker.kwargs) if marker is not None else {}
    unknown = sorted(set(knobs) - set(KNOBS))
    if marker is not None and (unknown or marker.args):
        what = f"unknown knob {', '.join(unknown)}" if unknown else "positional arguments"
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER}: {what}; use keywords among {', '.join(KNOBS)}"
        )
    vad = knobs.pop("server_vad", None)
    barge_in = knobs.pop("barge_in", None)
    if isinstance(vad, TurnDetection):
        knobs["turn_detection"] = vad
    elif vad or (barge_in is not None and "turn_detection" not in knobs):
        knobs["turn_detection"] = TurnDetection()
    if barge_in is not None and knobs.get("turn_detection") is not None:
        turn = knobs["turn_detection"]
        knobs["turn_detection"] = dataclasses.replace(turn, interrupt_response=bool(barge_in))
    try:
        return EmulatorConfig(**knobs)
    except TypeError as exc:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {exc}") from None


def start(config: EmulatorConfig, wire_log: Path, client_wire_log: Path) -> RunningEmulator:
    """Serve ``config`` from an event loop on a daemon thread; ``stop()`` ends both."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="rtlint-emulator", daemon=True)
    thread.start()
    emulator = Emulator(config, wire_log=wire_log)
    try:
        url = asyncio.run_coroutine_threadsafe(emulator.__aenter__(), loop).result(10)
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        raise

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(emulator.aclose(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()

    return RunningEmulator(url, config, wire_log, client_wire_log, _stop=stop)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**knobs): configure the realtime_emulator fixture (knobs: {', '.join(KNOBS)})",
    )


@pytest.fixture
def realtime_emulator(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningEmulator]:
    """A Realtime protocol emulator for this test; its wire log is trace-checked at the end."""
    config = config_from_marker(request.node.get_closest_marker(MARKER))
    running = start(config, tmp_path / "emulator.wire.jsonl", tmp_path / "client.wire.jsonl")
    try:
        yield running
    finally:
        running.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After a test function that passed: stop its emulator, fail it on a failing trace."""
    yield  # a test that failed already keeps its own failure
    running = getattr(item, "funcargs", {}).get("realtime_emulator")
    if isinstance(running, RunningEmulator):
        running.stop()
        if running.check_trace:
            _check(running)


def _check(running: RunningEmulator) -> None:
    try:
        log, findings = running.findings()
    except WireLogError as exc:
        pytest.fail(f"rtlint trace: {exc}", pytrace=False)
    failing = [f for f in findings if f.fails]
    if failing:
        lines = [f"rtlint trace: the adapter broke the response-slot protocol ({log}):"]
        lines += [f"{log.name}:{f.line}: {f.code} {f.message}" for f in failing]
        pytest.fail("\n".join(lines), pytrace=False)
