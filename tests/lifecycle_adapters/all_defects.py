"""An adapter carrying every lifecycle defect rtlint knows, each once."""

import json
import logging

import websockets

logger = logging.getLogger(__name__)


class EverythingWrongAdapter:
    def __init__(self, url):
        self.url = url
        self.ws = None
        self._response_active = False
        self._response_requested = False

    async def connect(self):
        self.ws = await websockets.connect(self.url)

    async def close(self):
        await self.ws.close()

    async def request_response(self):
        if self._response_active:
            self._response_requested = True  # expect: RT002, RT007
            return
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def on_tool_result(self, output):
        await self.ws.send(json.dumps({"type": "conversation.item.create", "item": output}))
        if self._response_active:  # expect: RT006
            logger.debug("busy: not answering this tool result")
            return
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def _receive(self, event):
        kind = event["type"]
        if kind == "response.created":
            self._response_active = True  # expect: RT003, RT004
        elif kind == "response.done":
            if event["response"]["status"] == "completed":
                self._response_active = False  # expect: RT004
            if self._response_requested:
                await self.request_response()
        elif kind == "response.cancelled":  # expect: RT005
            self._response_active = False
        elif kind == "error":
            raise RuntimeError(event["error"]["message"])  # expect: RT010
