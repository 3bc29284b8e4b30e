"""A small realtime voice adapter with one bug: the text path sends `response.create` unguarded.

`rtlint check examples/python` reports it; the audio path shows the compliant pattern.
"""

from __future__ import annotations

import json
from typing import Any

import websockets


class VoiceAdapter:
    def __init__(self, url: str) -> None:
        self._url = url
        self._ws: Any = None
        self._response_active = False
        self._response_requested = False

    async def connect(self) -> None:
        self._ws = await websockets.connect(self._url)
        self._response_active = False
        self._response_requested = False

    async def _send(self, event: dict[str, Any]) -> None:
        await self._ws.send(json.dumps(event))

    async def commit_audio(self) -> None:
        await self._send({"type": "input_audio_buffer.commit"})
        await self._request_response()

    async def send_text(self, text: str) -> None:
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        await self._send({"type": "conversation.item.create", "item": item})
        await self._send({"type": "response.create"})  # the bug: a response may be active

    async def _request_response(self) -> None:
        if self._response_active:
            self._response_requested = True  # flushed once the active response is done
            return
        self._response_active = True
        await self._send({"type": "response.create"})

    async def on_event(self, event: dict[str, Any]) -> None:
        if event["type"] == "response.done":
            self._response_active = False
            if self._response_requested:
                self._response_requested = False
                await self._request_response()
