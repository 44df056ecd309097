"""A JSON WebSocket consumer that no client frame can break.

Binary frames, frames above WEBSOCKET_MAX_MESSAGE_BYTES, invalid or too deeply nested JSON,
and anything but an object with a string `type` get an `{"type": "error", "code", "message"}`
answer; the socket stays open. Subclasses see only well-formed messages in `receive_json`.
"""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from .jsonbounds import TooDeep, loads_bounded


class SafeJsonConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_error("invalid", "Send JSON text frames, not binary ones.")
            return
        limit = settings.WEBSOCKET_MAX_MESSAGE_BYTES
        if len(text_data) > limit:  # characters ≥ bytes / 4: checked exactly below if close
            await self.send_error("message_too_large", f"Messages are limited to {limit} bytes.")
            return
        if len(text_data.encode()) > limit:
            await self.send_error("message_too_large", f"Messages are limited to {limit} bytes.")
            return
        try:
            content = loads_bounded(text_data, max_depth=settings.JSON_MAX_DEPTH)
        except TooDeep as exc:
            await self.send_error("invalid", str(exc))
            return
        except (ValueError, UnicodeError):
            await self.send_error("invalid", "That message is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("invalid", 'Send a JSON object with a "type".')
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content)
