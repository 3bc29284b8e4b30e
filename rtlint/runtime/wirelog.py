"""The wire-log format: JSON lines of the events one client sent and received.

Each line is ``{"t": <seconds, float>, "dir": "sent" | "received", "event": {...}}``,
written from the client's point of view: ``sent`` is a client event, ``received``
a server event. ``t`` counts seconds since the log was opened. The emulator and
the reference adapter both write this format; ``rtlint trace`` reads it. Blank
lines are skipped. A log may span several connections: each connection starts
with a received ``session.created``. A log written by a server for concurrent
connections (the emulator's) adds ``"conn": "<id>"`` to every line, so the
connections' events can be told apart however they interleave.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO

from rtlint.runtime.events import Event

Direction = Literal["sent", "received"]


@dataclass(frozen=True)
class WireRecord:
    """One wire-log line: ``line`` is its 1-based number in the file (0 if built in memory)."""

    t: float
    dir: Direction
    event: Event
    line: int = 0
    conn: str | None = None
    """The connection the event belongs to (None in a single-connection log)."""


class WireLogError(ValueError):
    """A wire log that cannot be read; ``str()`` names the file and line."""

    def __init__(self, filename: str, line: int, message: str) -> None:
        super().__init__(f"{filename}:{line}: {message}" if line else f"{filename}: {message}")
        self.filename = filename
        self.line = line


class WireLogWriter:
    """Appends records to a wire log, one flushed JSON line per event."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: TextIO | None = self.path.open("w", encoding="utf-8")
        self._start = time.monotonic()

    def write(self, direction: Direction, event: Event, conn: str | None = None) -> None:
        """Record one event (no-op once closed); ``conn`` names its connection, if several."""
        if self._file is None:
            return
        t = round(time.monotonic() - self._start, 6)
        record: dict[str, Any] = {"t": t, "dir": direction, "event": event}
        if conn is not None:
            record["conn"] = conn
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file; later writes are ignored."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> WireLogWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def parse_wire_log(lines: Iterable[str], filename: str = "<wire log>") -> list[WireRecord]:
    """Parse wire-log lines; raises :class:`WireLogError` on the first bad line."""
    records: list[WireRecord] = []
    for number, text in enumerate(lines, start=1):
        if text.strip():
            records.append(_parse_line(text, filename, number))
    return records


def read_wire_log(path: str | Path) -> list[WireRecord]:
    """Read and parse a wire-log file; unreadable files raise :class:`WireLogError` too."""
    try:
        with Path(path).open(encoding="utf-8") as file:
            return parse_wire_log(file, str(path))
    except OSError as exc:
        raise WireLogError(str(path), 0, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise WireLogError(str(path), 0, f"not UTF-8 text: {exc.reason}") from exc


def _parse_line(text: str, filename: str, number: int) -> WireRecord:
    def bad(message: str) -> WireLogError:
        return WireLogError(filename, number, message)

    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise bad("expected a JSON object with keys t, dir, event")
    t = data.get("t")
    if isinstance(t, bool) or not isinstance(t, int | float):
        raise bad('"t" must be a number of seconds')
    direction = data.get("dir")
    if direction not in ("sent", "received"):
        raise bad('"dir" must be "sent" or "received"')
    event = data.get("event")
    if not isinstance(event, dict):
        raise bad('"event" must be a JSON object')
    if not isinstance(event.get("type"), str):
        raise bad('"event" has no string "type"')
    conn = data.get("conn")
    if conn is not None and not isinstance(conn, str):
        raise bad('"conn" must be a string')
    return WireRecord(float(t), direction, event, number, conn)
