"""A JSON WebSocket consumer that no client frame can break.

Binary frames, frames above WEBSOCKET_MAX_MESSAGE_BYTES, invalid or too deeply nested JSON,
and anything but an object with a string `type` get an `{"type": "error", "code", "message"}`
answer; the socket stays open. Subclasses see only well-formed messages in `receive_json`.

Database work of a socket runs through `database_call`, on a small thread pool of its own
(SOCKET_DB_THREADS): Channels' own `database_sync_to_async` is thread-sensitive, and outside a
request every thread-sensitive call of the process shares ONE thread — so every socket's
database work queued behind every other's. For the same reason a message is dispatched without
Channels' per-message `close_old_connections` hop onto that thread (each database call closes
stale connections around itself): under load, that hop delayed every board push and
heartbeat ack behind unrelated queries. A socket's opening looks its user up on the same
pool (`auth_stack`, Channels' AuthMiddlewareStack otherwise).
"""

import functools
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from channels.auth import AuthMiddleware, get_user
from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings

from . import pipeline
from .jsonbounds import TooDeep, loads_bounded

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _socket_executor() -> ThreadPoolExecutor:
    global _executor  # one pool per process, made on first use
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.SOCKET_DB_THREADS, thread_name_prefix="socket-db"
            )
        return _executor


def database_call(func):
    """Decorate a socket's synchronous database work (a method or a function): awaited, it
    runs on the sockets' pool, with stale connections closed before and after."""

    @functools.wraps(func)
    async def call(*args, **kwargs):
        run = DatabaseSyncToAsync(func, thread_sensitive=False, executor=_socket_executor())
        return await run(*args, **kwargs)

    return call


class SafeJsonConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        """Channels' dispatch without its per-message hop onto the process's one
        thread-sensitive thread (see the module's note)."""
        if message["type"] == pipeline.LAYER_BATCH:  # many messages in one (common.pipeline)
            for one in message["messages"]:
                await self.dispatch(one)
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

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


class PooledAuthMiddleware(AuthMiddleware):
    """Channels' AuthMiddleware, its session and user lookup on the sockets' pool (Channels
    runs it thread-sensitively: every socket opening of the process in one queue)."""

    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await database_call(get_user.func)(scope)


def auth_stack(inner):
    """AuthMiddlewareStack with the pooled user lookup."""
    return CookieMiddleware(SessionMiddleware(PooledAuthMiddleware(inner)))
