"""The in-process stale sweep for the embedded mode, where no Celery beat runs.

While at least one live board is connected to this ASGI process, a small asyncio task ends
stale streams every CAMERA_INPROCESS_SWEEP_SECONDS (1 s by default), so a silent stream leaves
every board within CAMERA_STREAM_TIMEOUT + ~1 s. The sweep service is safe to run beside a
Celery beat, so enabling both costs only queries.
"""

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from .services import camera_streams_end_stale

logger = logging.getLogger(__name__)


class _LoopState:
    def __init__(self) -> None:
        self.boards = 0
        self.task: asyncio.Task | None = None
        self.last_run: dict = {}


# Other apps add their own periodic work (e.g. monitoring's snapshot-gap sweep) without this
# app importing them: the dependency arrow stays monitoring → cameras.
_hooks: list[tuple] = []


def register(function, *, every_seconds: float) -> None:
    """Run `function()` (sync) at most every `every_seconds` while a board is connected."""
    if all(existing is not function for existing, _ in _hooks):
        _hooks.append((function, every_seconds))


_states: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState]" = (
    weakref.WeakKeyDictionary()
)


def _state() -> _LoopState:
    loop = asyncio.get_running_loop()
    if loop not in _states:
        _states[loop] = _LoopState()
    return _states[loop]


async def _loop(state: _LoopState) -> None:
    loop = asyncio.get_running_loop()
    while state.boards > 0:
        try:
            await database_sync_to_async(camera_streams_end_stale)()
        except Exception:
            logger.exception("In-process camera sweep failed")
        for function, every in list(_hooks):
            if loop.time() - state.last_run.get(function, float("-inf")) < every:
                continue
            state.last_run[function] = loop.time()
            try:
                await database_sync_to_async(function)()
            except Exception:
                logger.exception("In-process sweep hook %s failed", function)
        await asyncio.sleep(settings.CAMERA_INPROCESS_SWEEP_SECONDS)


def board_connected() -> None:
    state = _state()
    state.boards += 1
    if settings.CAMERA_SWEEP_IN_PROCESS and (state.task is None or state.task.done()):
        state.task = asyncio.get_running_loop().create_task(_loop(state))


def board_disconnected() -> None:
    state = _state()
    state.boards = max(0, state.boards - 1)
