"""The protocol logic of one emulated Realtime connection (no networking here).

:class:`EmulatedSession` consumes client events and emits server events through a
callback, following ``PROTOCOL.md`` (in this package) §1.2-1.5: one
default-conversation response at a time (a second ``response.create`` gets
``conversation_already_has_active_response`` and the active response carries on),
out-of-band responses alongside, ``response.done`` closing every response whatever
its status, and an energy-based server VAD that commits speech, starts its own
responses and cancels on barge-in.

Emulator choices where the protocol is silent: a VAD turn that ends while a
default response is active is answered once that response is done; unknown
client events get an ``invalid_request_error`` with code ``unknown_event``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from typing import Any, ClassVar

from rtlint.runtime import audio
from rtlint.runtime.config import EmulatorConfig, TurnDetection
from rtlint.runtime.events import (
    ACTIVE_RESPONSE,
    CANCEL_NOT_ACTIVE,
    COMMIT_EMPTY,
    MIN_COMMIT_MS,
    Event,
    event_type,
    mapping,
)
from rtlint.runtime.responses import EmulatedResponse

_FRAME = 20 * audio.BYTES_PER_MS
"""Bytes of one 20 ms VAD frame."""


class EmulatedSession:
    """One connection's conversation, audio buffer, VAD and responses."""

    def __init__(
        self,
        config: EmulatorConfig,
        emit: Callable[[Event], None],
        drop: Callable[[], None],
        new_id: Callable[[str], str],
    ) -> None:
        self._config = config
        self._emit = emit
        self._drop = drop
        self._new_id = new_id
        self._vad = config.turn_detection
        self._modalities = ["audio"]
        self._session_id = new_id("sess")
        self._conversation_id = new_id("conv")
        self._items: list[str] = []
        self._buffer_ms = 0.0
        self._audio_ms = 0.0
        self._speech_item: str | None = None
        self._silence_ms = 0.0
        self._vad_turn_waiting = False
        self._default: EmulatedResponse | None = None
        self._responses: dict[str, EmulatedResponse] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Greet the client with ``session.created``."""
        self._emit({"type": "session.created", "session": self._session_object()})

    def close(self) -> None:
        """Stop every streaming response (the connection is gone)."""
        for task in self._tasks:
            task.cancel()

    # ------------------------------------------------------------------ client events

    def handle(self, event: Event) -> None:
        """Process one client event."""
        kind = event_type(event)
        handler = self._handlers.get(kind)
        if handler is None:
            self._error(event, "unknown_event", f"Unsupported client event type: {kind!r}.")
            return
        handler(self, event)

    def _session_update(self, event: Event) -> None:
        session = mapping(event.get("session"))
        turn = mapping(mapping(session.get("audio")).get("input"))
        for source in (turn, session):  # GA: audio.input.turn_detection; beta: top level
            if "turn_detection" in source:
                self._vad = TurnDetection.from_json(source["turn_detection"])
        for key in ("output_modalities", "modalities"):
            if isinstance(session.get(key), list):
                self._modalities = [str(m) for m in session[key]]
        reply = (
            "transcription_session.updated"
            if event.get("type", "").startswith("transcr")
            else "session.updated"
        )
        self._emit({"type": reply, "session": self._session_object()})

    def _item_create(self, event: Event) -> None:
        item = event.get("item")
        if not isinstance(item, dict):
            self._error(event, "invalid_value", "Missing required parameter: 'item'.")
            return
        self._add_item(
            {**item, "id": item.get("id") or self._new_id("item"), "status": "completed"}
        )

    def _append(self, event: Event) -> None:
        try:
            pcm = base64.b64decode(str(event.get("audio", "")), validate=True)
        except binascii.Error:
            self._error(event, "invalid_value", "Invalid 'audio': expected base64-encoded pcm16.")
            return
        if self._vad is None:
            self._buffer_ms += audio.duration_ms(pcm)
            self._audio_ms += audio.duration_ms(pcm)
            return
        for start in range(0, len(pcm), _FRAME):  # the VAD listens frame by frame
            frame = pcm[start : start + _FRAME]
            ms = audio.duration_ms(frame)
            self._buffer_ms += ms
            self._audio_ms += ms
            self._detect_speech(self._vad, ms, audio.rms(frame) > audio.SPEECH_RMS)

    def _commit(self, event: Event) -> None:
        if self._buffer_ms < MIN_COMMIT_MS:
            self._error(
                event,
                COMMIT_EMPTY,
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"100ms of audio, but buffer only has {self._buffer_ms:.2f}ms of audio.",
            )
            return
        self._commit_buffer(self._new_id("item"))

    def _clear(self, event: Event) -> None:
        self._buffer_ms = 0.0
        self._emit({"type": "input_audio_buffer.cleared"})

    def _response_create(self, event: Event) -> None:
        params = mapping(event.get("response"))
        default = params.get("conversation", "auto") != "none"
        if default and self._default is not None:
            self._error(
                event,
                ACTIVE_RESPONSE,
                "Conversation already has an active response in progress: "
                f"{self._default.id}. Wait until the response is finished before creating a "
                "new one.",
            )
            return
        modalities = params.get("output_modalities", params.get("modalities"))
        if not isinstance(modalities, list):
            modalities = self._modalities
        limit = params.get("max_output_tokens")
        response = self._start_response(
            default, [str(m) for m in modalities], params.get("metadata")
        )
        if isinstance(limit, int) and not isinstance(limit, bool):
            response.max_deltas = max(limit, 0)

    def _response_cancel(self, event: Event) -> None:
        wanted = event.get("response_id")
        target = self._responses.get(wanted) if isinstance(wanted, str) else self._default
        if target is None:
            self._error(event, CANCEL_NOT_ACTIVE, "Cancellation failed: no active response found")
            return
        target.cancel("client_cancelled")

    _handlers: ClassVar[dict[str, Callable[[EmulatedSession, Event], None]]] = {
        "session.update": _session_update,
        "conversation.item.create": _item_create,
        "input_audio_buffer.append": _append,
        "input_audio_buffer.commit": _commit,
        "input_audio_buffer.clear": _clear,
        "response.create": _response_create,
        "response.cancel": _response_cancel,
    }

    # ------------------------------------------------------------------ conversation

    def _add_item(self, item: Event) -> None:
        previous = self._items[-1] if self._items else None
        self._items.append(item["id"])
        self._emit({"type": "conversation.item.added", "previous_item_id": previous, "item": item})
        self._emit({"type": "conversation.item.done", "previous_item_id": previous, "item": item})

    def _commit_buffer(self, item_id: str) -> None:
        previous = self._items[-1] if self._items else None
        self._buffer_ms = 0.0
        self._emit(
            {
                "type": "input_audio_buffer.committed",
                "previous_item_id": previous,
                "item_id": item_id,
            }
        )
        content = [{"type": "input_audio", "transcript": None}]
        self._add_item(
            {
                "id": item_id,
                "type": "message",
                "role": "user",
                "status": "completed",
                "content": content,
            }
        )

    def _detect_speech(self, vad: TurnDetection, ms: float, loud: bool) -> None:
        if loud:
            self._silence_ms = 0.0
            if self._speech_item is None:
                self._speech_item = self._new_id("item")
                start = int(self._audio_ms - ms)
                self._emit(
                    {
                        "type": "input_audio_buffer.speech_started",
                        "audio_start_ms": start,
                        "item_id": self._speech_item,
                    }
                )
                if vad.interrupt_response and self._default is not None:
                    self._default.cancel("turn_detected")
            return
        if self._speech_item is None:
            return
        self._silence_ms += ms
        if self._silence_ms < vad.silence_duration_ms:
            return
        item_id, self._speech_item = self._speech_item, None
        end = int(self._audio_ms)
        self._emit(
            {"type": "input_audio_buffer.speech_stopped", "audio_end_ms": end, "item_id": item_id}
        )
        self._commit_buffer(item_id)
        if not vad.create_response:
            return
        if self._default is None:
            self._start_response(True, self._modalities, None)
        else:
            self._vad_turn_waiting = True

    # ------------------------------------------------------------------ responses

    def _start_response(
        self, default: bool, modalities: list[str], metadata: Any
    ) -> EmulatedResponse:
        conversation = self._conversation_id if default else None
        response = EmulatedResponse(
            self._new_id("resp"), conversation, modalities, metadata, self._new_id("item")
        )
        self._responses[response.id] = response
        if default:
            self._default = response
        # Announced at once, so that events processed next see the response as active.
        self._emit({"type": "response.created", "response": response.as_json("in_progress")})
        task = asyncio.get_running_loop().create_task(self._run(response))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return response

    async def _run(self, response: EmulatedResponse) -> None:
        await response.stream(self._config, self._emit, self._items, self._drop)
        del self._responses[response.id]
        if self._default is not response:
            return
        self._default = None
        if self._vad_turn_waiting:
            self._vad_turn_waiting = False
            self._start_response(True, self._modalities, None)

    # ------------------------------------------------------------------ payloads

    def _session_object(self) -> Event:
        turn = self._vad.as_json() if self._vad is not None else None
        session: Event = {
            "id": self._session_id,
            "object": "realtime.session",
            "model": "gpt-realtime",
        }
        if self._config.dialect == "beta":
            return {**session, "modalities": self._modalities, "turn_detection": turn}
        audio_config = {
            "input": {
                "format": {"type": "audio/pcm", "rate": audio.SAMPLE_RATE},
                "turn_detection": turn,
            }
        }
        return {
            **session,
            "type": "realtime",
            "output_modalities": self._modalities,
            "audio": audio_config,
        }

    def _error(self, cause: Event, code: str, message: str) -> None:
        cause_id = cause.get("event_id")
        error = {
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "param": None,
            "event_id": cause_id if isinstance(cause_id, str) else None,
        }
        self._emit({"type": "error", "error": error})
