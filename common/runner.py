"""The embedded runner: Celery's job, in-process, for the mode with no broker and no beat.

One asyncio task on the ASGI server's event loop hands queued tasks (in order, off the request
path) and every periodic task of CELERY_BEAT_SCHEDULE (on its schedule, whether or not anyone
is looking) to a worker thread, one at a time. Running on the server's loop matters: a task
that tells the live boards something goes through the in-memory channel layer, which only
that loop can wake. It starts with the server (config.asgi's lifespan handler), so management
commands and tests keep Celery's eager mode. A failing task is logged; the periodic
reconciliation (monitoring.reconcile_analyses) picks up what it left undone.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)

_runner: "EmbeddedRunner | None" = None


class EmbeddedRunner:
    def __init__(self, schedule: dict[str, float], call: Callable[[str, tuple], None]):
        self.schedule = schedule
        self.call = call  # runs a registered task by name in this thread (common.pipeline)
        now = time.monotonic()
        self.next_run = dict.fromkeys(schedule, now)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue | None = None
        self.task: asyncio.Task | None = None
        self.pending = 0

    def start(self) -> "EmbeddedRunner":
        """Start on the running event loop (the server's)."""
        self.loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        self.task = self.loop.create_task(self._loop(), name="invigil-embedded-runner")
        return self

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def submit(self, task_name: str, args: tuple) -> None:
        """Queue a task; safe from any thread (request threads call it after commit)."""
        self.pending += 1
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (task_name, args))

    async def _loop(self) -> None:
        while True:
            due = min(self.next_run.values(), default=time.monotonic() + 1)
            wait = max(0.0, min(1.0, due - time.monotonic()))
            try:
                job = await asyncio.wait_for(self.queue.get(), timeout=wait)
            except TimeoutError:
                job = None
            if job is not None:
                await self._run(*job)
                self.pending -= 1
            now = time.monotonic()
            for name, at in list(self.next_run.items()):
                if now >= at:
                    self.next_run[name] = now + self.schedule[name]
                    await self._run(name, ())

    async def _run(self, task_name: str, args: tuple) -> None:
        await sync_to_async(self.call, thread_sensitive=False)(task_name, args)


def beat_schedule() -> dict[str, float]:
    return {
        entry["task"]: float(entry["schedule"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def start(call: Callable[[str, tuple], None]) -> "EmbeddedRunner | None":
    """Start this process's runner on the running loop (idempotent); None with a broker.
    `call(task_name, args)` runs one task (common.pipeline.run_task: failures are logged)."""
    global _runner
    if not settings.EMBEDDED_RUNNER:
        return None
    if _runner is None:
        _runner = EmbeddedRunner(beat_schedule(), call).start()
        logger.info("Embedded runner started: %s", ", ".join(sorted(_runner.schedule)))
    return _runner


async def stop() -> None:
    global _runner
    if _runner is not None:
        await _runner.stop()
        _runner = None


def active() -> "EmbeddedRunner | None":
    return _runner
