"""The reference adapter: a Realtime client that never races its own responses.

Porting guide — the pattern, in five rules (``PROTOCOL.md`` in this package, §1.2-1.5, §2):

1. **One slot, explicit states.** The default conversation holds at most one
   response. :class:`ResponseState` says where the slot is: ``IDLE`` (free),
   ``REQUESTED`` (our ``response.create`` is on the wire, no answer yet),
   ``ACTIVE`` (a default-conversation ``response.created`` arrived, its
   ``response.done`` has not), ``CLOSING`` (we are shutting down). No loose
   booleans: every transition is an assignment of the state.
2. **Reserve on send.** :meth:`RealtimeAdapter._flush` is the single place that
   sends ``response.create``; it returns early unless the slot is ``IDLE`` and
   moves to ``REQUESTED`` right before the send, so a second request arriving
   before ``response.created`` cannot slip through.
3. **Clear on every ``response.done``**, whatever its status (there is no
   ``response.cancelled`` event), but only the one whose id is the active
   response's; then run the flush again.
4. **Defer and coalesce.** :meth:`RealtimeAdapter.request_response` only counts
   the request and calls the flush. Requests made while the slot is taken stay
   pending and are flushed once, as one ``response.create``, when the slot
   frees: the server answers from the whole conversation, which by then holds
   every item those requests added, so one response covers them all (a request
   is "covered" by the first create sent after it). A rejection of our own
   create (``conversation_already_has_active_response``: a server-VAD response
   got there first) makes its requests pending again; they are re-sent after
   that response's ``response.done``.
5. **Reset on disconnect and reconnect.** A new socket is a new conversation:
   the slot, the pending requests and the audio-buffer count start over.

Out-of-band responses (``conversation: "none"``) never touch the slot. Our
creates carry ``metadata.rtlint_request = <event_id>`` so that our
``response.created`` can be told apart from one the server started itself.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import json
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from rtlint.runtime import audio
from rtlint.runtime.events import (
    ACTIVE_RESPONSE,
    MIN_COMMIT_MS,
    Event,
    decode_event,
    error_code,
    error_event_id,
    event_type,
    is_default_response,
    mapping,
    requests_out_of_band,
)
from rtlint.runtime.wirelog import WireLogWriter

_TAG = "rtlint_request"
"""Metadata key that marks our own responses with the event id of their create."""


class ResponseState(enum.Enum):
    """Where the default conversation's single response slot is."""

    IDLE = "idle"
    REQUESTED = "requested"
    ACTIVE = "active"
    CLOSING = "closing"


class RealtimeAdapter:
    """An asyncio Realtime client over ``websockets`` with a guarded response slot.

    ``session`` is sent as ``session.update`` on connect; ``response`` holds extra
    ``response.create`` parameters (instructions, output modalities). Every event
    sent and received is recorded in ``wire_log`` when one is given (the caller
    owns and closes it).
    """

    _state: ResponseState
    _active_id: str | None  # the default-conversation response holding the slot
    _create_id: str | None  # event_id of our create awaiting response.created or a rejection
    _create_floor: int  # _covered before that create: restored if it is rejected
    _requested: int  # request_response() calls on this connection
    _covered: int  # requests covered by a create already sent; pending: _requested > _covered
    _buffered_ms: float  # audio appended since the last commit or clear
    _server_vad: bool  # turn detection is on: the server commits and responds by itself

    def __init__(
        self,
        url: str,
        *,
        session: Mapping[str, Any] | None = None,
        response: Mapping[str, Any] | None = None,
        wire_log: WireLogWriter | None = None,
        open_timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._url = url
        self._session = dict(session) if session is not None else None
        self._response = dict(response or {})
        self._wire_log = wire_log
        self._open_timeout = open_timeout
        self._headers = dict(headers or {})
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._changed = asyncio.Event()
        self._session_ack: tuple[str, asyncio.Future[Event]] | None = None
        self._ids = itertools.count(1)
        self._reset(ResponseState.IDLE)

    # ------------------------------------------------------------------ public API

    @property
    def state(self) -> ResponseState:
        """The slot's current state."""
        return self._state

    @property
    def connected(self) -> bool:
        """Whether a socket is open."""
        return self._ws is not None

    @property
    def idle(self) -> bool:
        """No response requested, active or pending."""
        return self._state is ResponseState.IDLE and self._requested <= self._covered

    async def connect(self) -> None:
        """Open the socket, wait for ``session.created``, then apply the session config."""
        if self._ws is not None:
            raise RuntimeError("already connected")
        self._reset(ResponseState.IDLE)
        self._events = asyncio.Queue()
        ws = await connect(
            self._url,
            open_timeout=self._open_timeout,
            additional_headers=self._headers,
            max_size=None,
        )
        try:
            first = decode_event(await asyncio.wait_for(ws.recv(), self._open_timeout))
            if first is None or event_type(first) != "session.created":
                raise ConnectionError(f"expected session.created first, got {first!r}")
        except BaseException:
            await ws.close()
            raise
        self._ws = ws
        await self._receive(first)
        self._reader = asyncio.create_task(self._read(ws))
        if self._session is not None:
            await self._update_session(self._session)

    async def close(self) -> None:
        """Close the socket and forget every response; :meth:`connect` may be called again."""
        ws, self._ws = self._ws, None
        self._reset(ResponseState.CLOSING)
        if ws is not None:
            await ws.close()
        if self._reader is not None:
            await self._reader
            self._reader = None

    async def send_text(self, text: str, *, respond: bool = True) -> None:
        """Add a user text message; with ``respond``, request a response to it."""
        content = [{"type": "input_text", "text": text}]
        item = {"type": "message", "role": "user", "content": content}
        await self._send({"type": "conversation.item.create", "item": item})
        if respond:
            await self.request_response()

    async def append_audio(self, pcm: bytes) -> None:
        """Append pcm16 (24 kHz mono) audio to the input buffer."""
        self._buffered_ms += audio.duration_ms(pcm)
        await self._send({"type": "input_audio_buffer.append", "audio": audio.encode(pcm)})

    async def commit_audio(self, *, respond: bool = True) -> bool:
        """Commit the input buffer as a user turn (push-to-talk); False when nothing was sent.

        Skipped with server VAD on (the server commits and responds by itself) and
        when under 100 ms is buffered (the server would answer
        ``input_audio_buffer_commit_empty``).
        """
        if self._server_vad or self._buffered_ms < MIN_COMMIT_MS:
            return False
        self._buffered_ms = 0.0
        await self._send({"type": "input_audio_buffer.commit"})
        if respond:
            await self.request_response()
        return True

    async def request_response(self) -> None:
        """Ask for a response covering everything sent so far; deferred while the slot is taken."""
        if self._ws is None:
            raise ConnectionError("the adapter is not connected")
        self._requested += 1
        await self._flush()

    async def cancel_response(self) -> bool:
        """Cancel the active default-conversation response; False when none is active.

        The slot stays taken until that response's ``response.done`` arrives.
        """
        if self._state is not ResponseState.ACTIVE or self._active_id is None:
            return False
        await self._send({"type": "response.cancel", "response_id": self._active_id})
        return True

    async def send_event(self, event: Mapping[str, Any]) -> None:
        """Send any other client event: tool outputs, out-of-band responses, truncates...

        A default-conversation ``response.create`` or an id-less ``response.cancel``
        would bypass the slot and is refused: use :meth:`request_response` and
        :meth:`cancel_response`.
        """
        kind = event_type(event)
        takes_slot = kind == "response.create" and not requests_out_of_band(event)
        if takes_slot or (kind == "response.cancel" and "response_id" not in event):
            raise ValueError(f"send {kind} through request_response()/cancel_response()")
        await self._send(dict(event))

    async def events(self) -> AsyncIterator[Event]:
        """Every server event of the current connection, in order; ends when it closes.

        Events are buffered until read; the slot's state is already updated for them.
        """
        queue = self._events
        while (event := await queue.get()) is not None:
            yield event
        queue.put_nowait(None)  # let a later iterator end too

    async def wait_idle(self) -> None:
        """Wait until no response is requested, active or pending (or the socket is gone)."""
        while self._ws is not None and not self.idle:
            await self._changed.wait()

    async def __aenter__(self) -> RealtimeAdapter:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ the slot

    async def _flush(self) -> None:
        """Send one ``response.create`` for the pending requests, if the slot is free.

        The only send site of ``response.create``. Runs after every request and
        after every ``response.done``.
        """
        if self._state is not ResponseState.IDLE:
            return  # requested, active or closing: the response.done handler runs this again
        if self._requested <= self._covered:
            return  # every request is covered by a response we already started
        event_id = f"evt_{next(self._ids)}"
        self._state = ResponseState.REQUESTED
        self._create_id = event_id
        self._create_floor = self._covered
        self._covered = self._requested
        metadata = {**mapping(self._response.get("metadata")), _TAG: event_id}
        response = {**self._response, "metadata": metadata}
        try:
            await self._send(
                {"type": "response.create", "event_id": event_id, "response": response}
            )
        except BaseException:
            if self._create_id == event_id:  # not sent: give the reservation back
                self._state = ResponseState.IDLE
                self._create_id = None
                self._covered = self._create_floor
            raise

    def _on_created(self, response: Mapping[str, Any]) -> None:
        if not is_default_response(response) or self._state is ResponseState.CLOSING:
            return  # out-of-band responses run alongside and never hold the slot
        # A server that does not report metadata at all: take the response for ours.
        metadata = mapping(response.get("metadata", {_TAG: self._create_id}))
        if self._create_id is not None and metadata.get(_TAG) == self._create_id:
            self._create_id = None
        self._active_id = str(response.get("id"))
        self._state = ResponseState.ACTIVE

    def _on_done(self, response: Mapping[str, Any]) -> None:
        if self._state is not ResponseState.ACTIVE or response.get("id") != self._active_id:
            return  # out-of-band, or not the response holding the slot
        self._active_id = None
        # Our own create may still be in flight behind a server-started response.
        self._state = ResponseState.IDLE if self._create_id is None else ResponseState.REQUESTED

    def _on_error(self, event: Event) -> None:
        cause = error_event_id(event)
        if error_code(event) != ACTIVE_RESPONSE or self._create_id is None:
            return  # other errors (a late cancel, an empty commit) leave the slot alone
        if cause is not None and cause != self._create_id:
            return
        # Our create was rejected: a response we had not seen yet holds the slot.
        # Its requests are pending again and go out after that response's done.
        self._covered = self._create_floor
        self._create_id = None
        self._state = ResponseState.IDLE if self._active_id is None else ResponseState.ACTIVE

    def _reset(self, state: ResponseState) -> None:
        """Forget every response: a new socket is a new conversation."""
        self._state = state
        self._active_id = None
        self._create_id = None
        self._create_floor = 0
        self._requested = 0
        self._covered = 0
        self._buffered_ms = 0.0
        self._server_vad = False
        self._notify()

    # ------------------------------------------------------------------ plumbing

    async def _update_session(self, session: Mapping[str, Any]) -> None:
        event_id = f"evt_{next(self._ids)}"
        ack: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        self._session_ack = (event_id, ack)
        await self._send({"type": "session.update", "event_id": event_id, "session": dict(session)})
        reply = await asyncio.wait_for(ack, self._open_timeout)
        if event_type(reply) == "error":
            raise ConnectionError(
                f"session.update rejected: {mapping(reply.get('error')).get('message')}"
            )

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for message in ws:
                event = decode_event(message)
                if event is not None:
                    await self._receive(event)
        except ConnectionClosed:
            pass
        finally:
            if self._ws is ws:  # dropped, not closed by us
                self._ws = None
                self._reset(ResponseState.IDLE)
            if self._session_ack is not None and not self._session_ack[1].done():
                self._session_ack[1].set_exception(ConnectionError("connection closed"))
            self._events.put_nowait(None)

    async def _receive(self, event: Event) -> None:
        if self._wire_log is not None:
            self._wire_log.write("received", event)
        kind = event_type(event)
        if kind in ("session.created", "session.updated"):
            self._on_session(event)
        elif kind == "response.created":
            self._on_created(mapping(event.get("response")))
        elif kind == "response.done":
            self._on_done(mapping(event.get("response")))
            await self._flush()
        elif kind == "error":
            self._on_error(event)
            self._ack_session(event)
        elif kind in ("input_audio_buffer.committed", "input_audio_buffer.cleared"):
            self._buffered_ms = 0.0
        self._events.put_nowait(event)
        self._notify()

    def _on_session(self, event: Event) -> None:
        session = mapping(event.get("session"))
        audio_input = mapping(mapping(session.get("audio")).get("input"))
        detection = audio_input.get("turn_detection", session.get("turn_detection"))
        self._server_vad = isinstance(detection, Mapping)
        self._ack_session(event)

    def _ack_session(self, event: Event) -> None:
        """Answer :meth:`_update_session`: ``session.updated`` or the error naming the update."""
        if self._session_ack is None or self._session_ack[1].done():
            return
        update_id, ack = self._session_ack
        if event_type(event) == "session.updated" or error_event_id(event) == update_id:
            ack.set_result(event)

    async def _send(self, event: Event) -> None:
        ws = self._ws
        if ws is None:
            raise ConnectionError("the adapter is not connected")
        event.setdefault("event_id", f"evt_{next(self._ids)}")
        if self._wire_log is not None:
            self._wire_log.write("sent", event)
        await ws.send(json.dumps(event))  # written before the first await inside

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
