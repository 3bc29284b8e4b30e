"""A local Realtime protocol emulator: a real WebSocket server on a loopback address.

Use it from tests or scripts::

    async with Emulator(EmulatorConfig(deltas=3)) as url:
        ...  # connect a client to ``url`` (ws://127.0.0.1:PORT)

or from the shell with ``rtlint emulate --port 0``. Every connection gets its
own :class:`~rtlint.runtime.session.EmulatedSession`; server events go through a
per-connection queue that adds the configured latency, renames events for the
beta dialect, applies the drop knobs and records the wire log.

The wire log is written from the client's point of view (a client event is
``sent``), with each connection's id (``conn``), but in the server's order: an
event the server had already written while the client's next event was in
flight appears before it. For race analysis, prefer the client's own log (the
reference adapter writes one).
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
from pathlib import Path
from types import TracebackType

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from rtlint.runtime.config import EmulatorConfig, TurnDetection
from rtlint.runtime.events import GA_TO_BETA, Event, decode_event
from rtlint.runtime.session import EmulatedSession
from rtlint.runtime.wirelog import Direction, WireLogWriter

__all__ = ["Emulator", "EmulatorConfig", "TurnDetection", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` names a loopback interface (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Emulator:
    """Serves the emulated Realtime protocol on ``host:port`` (loopback only)."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        wire_log: str | Path | None = None,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the emulator only listens on loopback addresses, not {host!r}")
        self.config = config or EmulatorConfig()
        self._host = host
        self._port = port
        self._wire_log_path = wire_log
        self._wire_log: WireLogWriter | None = None
        self._server: Server | None = None
        self._counter = itertools.count(1)
        self._drops_left = self.config.drops

    @property
    def url(self) -> str:
        """``ws://HOST:PORT`` of the running server."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        port = self._server.sockets[0].getsockname()[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"ws://{host}:{port}"

    async def __aenter__(self) -> str:
        if self._wire_log_path is not None:
            self._wire_log = WireLogWriter(self._wire_log_path)
        self._server = await serve(self._serve, self._host, self._port, max_size=None)
        return self.url

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection, stop listening and close the wire log."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._wire_log is not None:
            self._wire_log.close()
            self._wire_log = None

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter)}"

    def _log(self, direction: Direction, event: Event, conn: str) -> None:
        if self._wire_log is not None:
            self._wire_log.write(direction, event, conn)

    def _take_drop(self) -> bool:
        if self._drops_left <= 0:
            return False
        self._drops_left -= 1
        return True

    async def _serve(self, ws: ServerConnection) -> None:
        """Run one connection: a reader feeding the session, a writer draining its queue."""
        loop = asyncio.get_running_loop()
        outgoing: asyncio.Queue[tuple[float, Event]] = asyncio.Queue()

        def emit(event: Event) -> None:
            outgoing.put_nowait((loop.time() + self.config.latency, event))

        def drop() -> None:
            if self._take_drop():
                ws.transport.abort()

        conn = self._new_id("conn")
        session = EmulatedSession(self.config, emit, drop, self._new_id)
        writer = asyncio.create_task(self._write(ws, outgoing, conn))
        session.start()
        try:
            async for message in ws:
                event = decode_event(message)
                if event is None:
                    emit(_invalid_json())
                    continue
                self._log("sent", event, conn)
                session.handle(event)
        except ConnectionClosed:
            pass
        finally:
            session.close()
            writer.cancel()

    async def _write(
        self, ws: ServerConnection, outgoing: asyncio.Queue[tuple[float, Event]], conn: str
    ) -> None:
        loop = asyncio.get_running_loop()
        written = 0
        limit = self.config.drop_after_events
        while True:
            due, event = await outgoing.get()
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            kind = event["type"]
            if self.config.dialect == "beta" and kind in GA_TO_BETA:
                renamed = GA_TO_BETA[kind]
                if renamed is None:
                    continue
                event = {**event, "type": renamed}
            event = {"type": event["type"], "event_id": self._new_id("event"), **event}
            try:
                await ws.send(json.dumps(event))
            except ConnectionClosed:
                return
            self._log("received", event, conn)
            written += 1
            if limit is not None and written >= limit and self._take_drop():
                ws.transport.abort()
                return


def _invalid_json() -> Event:
    message = "The message could not be parsed as a JSON object with a string 'type'."
    error = {
        "type": "invalid_request_error",
        "code": "invalid_json",
        "message": message,
        "param": None,
        "event_id": None,
    }
    return {"type": "error", "error": error}
