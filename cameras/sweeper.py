"""The in-process stale sweep for the embedded mode, where no Celery beat runs.

While at least one live board is connected to this ASGI process, a small asyncio task ends
stale streams every CAMERA_INPROCESS_SWEEP_SECONDS (1 s by default), so a silent stream leaves
every board within CAMERA_STREAM_TIMEOUT + ~1 s. The sweep service is safe to run beside a
Celery beat, so enabling both costs only queries.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from .services import camera_streams_end_stale

logger = logging.getLogger(__name__)

_boards = 0
_task: asyncio.Task | None = None


def enabled() -> bool:
    return bool(settings.CAMERA_SWEEP_IN_PROCESS)


async def _loop() -> None:
    interval = settings.CAMERA_INPROCESS_SWEEP_SECONDS
    while _boards > 0:
        try:
            await database_sync_to_async(camera_streams_end_stale)()
        except Exception:
            logger.exception("In-process camera sweep failed")
        await asyncio.sleep(interval)


def board_connected() -> None:
    global _boards, _task
    _boards += 1
    if enabled() and (_task is None or _task.done()):
        _task = asyncio.get_running_loop().create_task(_loop())


def board_disconnected() -> None:
    global _boards
    _boards = max(0, _boards - 1)
