"""Heartbeats over WebSockets, written to the database in batches.

A candidate's page that holds an open `/ws/camera/presence/` socket sends its heartbeats
there instead of over HTTP: no request parsing and no authentication per heartbeat, and one
UPDATE per second for every heartbeat this ASGI process received (CAMERA_HEARTBEAT_FLUSH_SECONDS)
instead of one per heartbeat. `last_updated` lags by at most that flush interval.
"""

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from .services import camera_streams_touch

logger = logging.getLogger(__name__)


class _Batcher:
    def __init__(self) -> None:
        self.pending: dict[int, int | None] = {}
        self.consumers: dict[int, set] = {}
        self.task: asyncio.Task | None = None

    def add(self, consumer, user_id: int, application_id: int | None) -> None:
        self.pending[user_id] = application_id
        self.consumers.setdefault(user_id, set()).add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, consumer, user_id: int) -> None:
        owners = self.consumers.get(user_id)
        if owners:
            owners.discard(consumer)
            if not owners:
                self.consumers.pop(user_id, None)

    async def _run(self) -> None:
        while self.pending:
            await asyncio.sleep(settings.CAMERA_HEARTBEAT_FLUSH_SECONDS)
            batch, self.pending = self.pending, {}
            try:
                live = await database_sync_to_async(camera_streams_touch)(heartbeats=batch)
            except Exception:
                logger.exception("Heartbeat batch of %d failed", len(batch))
                continue
            for user_id in set(batch) - live:
                for consumer in list(self.consumers.get(user_id, ())):
                    await consumer.send_json({"type": "stale"})


_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batcher]" = (
    weakref.WeakKeyDictionary()
)


def batcher() -> _Batcher:
    loop = asyncio.get_running_loop()
    if loop not in _batchers:
        _batchers[loop] = _Batcher()
    return _batchers[loop]
