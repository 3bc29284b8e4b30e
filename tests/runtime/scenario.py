"""Shared helpers for the runtime tests: bounded event loops and a raw protocol client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect

from rtlint.runtime import RealtimeAdapter, WireLogWriter
from rtlint.runtime.events import Event, canonical, decode_event, error_code, event_type
from rtlint.runtime.trace import Finding, check_records
from rtlint.runtime.wirelog import WireRecord, read_wire_log

T = TypeVar("T")

STEP = 5.0
"""Upper bound, in seconds, for any single wait on the network."""


def run(coro: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
    """Run ``coro`` in a fresh event loop, failing after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def settle(adapter: RealtimeAdapter, quiet: float = 0.1) -> None:
    """Wait until the adapter stays idle for ``quiet`` seconds (server VAD may start more)."""
    while True:
        await asyncio.wait_for(adapter.wait_idle(), STEP)
        await asyncio.sleep(quiet)
        if adapter.idle:
            return


def received(records: list[WireRecord], kind: str) -> list[Event]:
    """The received events of one (canonical) type."""
    return [r.event for r in records if r.dir == "received" and event_type(r.event) == kind]


def sent(records: list[WireRecord], kind: str) -> list[Event]:
    """The sent events of one (canonical) type."""
    return [r.event for r in records if r.dir == "sent" and event_type(r.event) == kind]


def error_codes(records: list[WireRecord]) -> list[str | None]:
    """The codes of every received ``error`` event."""
    return [error_code(e) for e in received(records, "error")]


def trace(path: Path) -> list[Finding]:
    """The checker's findings for a wire-log file."""
    return check_records(read_wire_log(path))


class RawClient:
    """A bare protocol client (no guard at all) that records its own wire log."""

    def __init__(self, url: str, log: WireLogWriter | None = None) -> None:
        self.url = url
        self.log = log
        self._ws: ClientConnection | None = None

    async def __aenter__(self) -> RawClient:
        self._ws = await connect(self.url, open_timeout=STEP)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._ws is not None:
            await self._ws.close()

    @property
    def ws(self) -> ClientConnection:
        assert self._ws is not None
        return self._ws

    async def send(self, event: Event) -> None:
        if self.log is not None:
            self.log.write("sent", event)
        await self.ws.send(json.dumps(event))

    async def recv(self) -> Event:
        event = decode_event(await asyncio.wait_for(self.ws.recv(), STEP))
        assert event is not None
        if self.log is not None:
            self.log.write("received", event)
        return event

    async def until(self, kind: str, count: int = 1) -> list[Event]:
        """Every event up to and including the ``count``-th one of type ``kind``."""
        events: list[Event] = []
        while count:
            events.append(await self.recv())
            count -= event_type(events[-1]) == canonical(kind)
        return events


def types(events: list[Event]) -> list[str]:
    """The type of each event."""
    return [e["type"] for e in events]
