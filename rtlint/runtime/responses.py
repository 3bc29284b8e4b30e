"""One emulated response: its payloads and its event stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rtlint.runtime import audio
from rtlint.runtime.config import EmulatorConfig
from rtlint.runtime.events import Event


@dataclass(eq=False)
class EmulatedResponse:
    """A response from ``response.created`` to ``response.done``."""

    id: str
    conversation_id: str | None
    """``None`` for an out-of-band response."""
    modalities: list[str]
    metadata: Any
    item_id: str
    max_deltas: int | None = None
    """From ``max_output_tokens``: stop early with status ``incomplete``."""
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str = ""
    """Why it was cut short (``client_cancelled``, ``turn_detected``, ``max_output_tokens``)."""

    def cancel(self, reason: str) -> None:
        """Stop streaming; the first reason wins. ``response.done`` follows shortly."""
        if not self.cancelled.is_set():
            self.reason = reason
            self.cancelled.set()

    def as_json(self, status: str, output: list[Event] | None = None) -> Event:
        """The ``response`` object of ``response.created`` / ``response.done``."""
        details = {"type": status, "reason": self.reason} if self.reason else None
        return {
            "id": self.id,
            "object": "realtime.response",
            "status": status,
            "status_details": details,
            "conversation_id": self.conversation_id,
            "output_modalities": self.modalities,
            "metadata": self.metadata,
            "output": output or [],
        }

    async def stream(
        self,
        config: EmulatorConfig,
        emit: Callable[[Event], None],
        conversation: list[str],
        drop: Callable[[], None],
    ) -> None:
        """Emit the output after ``response.created`` (sent by the caller), up to ``response.done``.

        A default-conversation response appends its item to ``conversation``.
        """
        audio_out = "audio" in self.modalities
        item: Event = {"id": self.item_id, "type": "message", "role": "assistant"}
        item.update(status="in_progress", content=[])
        head: Event = {"response_id": self.id, "output_index": 0}
        where: Event = {**head, "item_id": self.item_id, "content_index": 0}
        emit({"type": "response.output_item.added", **head, "item": item})
        if self.conversation_id is not None:
            previous = conversation[-1] if conversation else None
            conversation.append(self.item_id)
            emit({"type": "conversation.item.added", "previous_item_id": previous, "item": item})
        part = {"type": "audio" if audio_out else "text"}
        emit({"type": "response.content_part.added", **where, "part": part})
        words: list[str] = []
        limit = config.deltas if self.max_deltas is None else self.max_deltas
        deltas = min(config.deltas, limit)
        for index in range(deltas):
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.cancelled.wait(), config.delta_interval)
            if self.cancelled.is_set():
                break
            words.append(f"word{index}")
            if audio_out:
                chunk = audio.encode(audio.silence(20))
                emit({"type": "response.output_audio.delta", **where, "delta": chunk})
                emit(
                    {"type": "response.output_audio_transcript.delta", **where, "delta": words[-1]}
                )
            else:
                emit({"type": "response.output_text.delta", **where, "delta": words[-1]})
            if config.drop_mid_response and index == deltas // 2:
                drop()
        if not self.cancelled.is_set() and deltas < config.deltas:
            self.reason = "max_output_tokens"
        text = " ".join(words)
        if audio_out:
            emit({"type": "response.output_audio.done", **where})
            emit({"type": "response.output_audio_transcript.done", **where, "transcript": text})
        else:
            emit({"type": "response.output_text.done", **where, "text": text})
        emit({"type": "response.content_part.done", **where, "part": part})
        item = {**item, "status": "incomplete" if self.reason else "completed"}
        status = (
            "cancelled" if self.cancelled.is_set() else "incomplete" if self.reason else "completed"
        )
        emit({"type": "response.output_item.done", **head, "item": item})
        if self.conversation_id is not None:
            emit({"type": "conversation.item.done", "item": item})
        emit({"type": "response.done", "response": self.as_json(status, [item])})
