"""The embedded runner: Celery's job, in-process, for the mode with no broker and no beat —
and, with a broker, the live ticker: what a live board cannot wait for, in the web process.

One asyncio task on the ASGI server's event loop hands queued tasks (in order, off the request
path) and every periodic task of CELERY_BEAT_SCHEDULE (on its schedule, whether or not anyone
is looking) to a worker thread, one at a time. Running on the server's loop matters: a task
that tells the live boards something goes through the in-memory channel layer, which only
that loop can wake. It starts with the server (config.asgi's lifespan handler), so management
commands and tests keep Celery's eager mode. A failing task is logged; the periodic
reconciliation (monitoring.reconcile_analyses) picks up what it left undone.

With a broker, a worker's queue can be long (an analysis backlog) and beat only schedules:
the sweeps a board needs on time (LIVE_SWEEPS: streams whose heartbeats stopped) run in the
web processes instead, each tick in one process only (a Redis lock), and every tick sends
again what the broker could not take while it was down (common.pipeline.resume_held).
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
    """Every periodic task and its interval; the live sweeps at their own (shorter) one."""
    schedule = {
        entry["task"]: float(entry["schedule"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    for name, interval in settings.LIVE_SWEEPS.items():
        schedule[name] = min(float(interval), schedule.get(name, float(interval)))
    return schedule


class LiveTicker:
    """With a broker: the live sweeps on time in this web process, and held sends resumed."""

    def __init__(self, sweeps: dict[str, float], call, resume):
        self.sweeps = sweeps
        self.call = call  # runs a registered task by name (common.pipeline.run_task)
        self.resume = resume  # sends what the broker could not take (pipeline.resume_held)
        self.next_run = dict.fromkeys(sweeps, time.monotonic())
        self.redis = None
        self.task: asyncio.Task | None = None

    def start(self) -> "LiveTicker":
        import redis.asyncio as aioredis

        self.redis = aioredis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self.task = asyncio.get_running_loop().create_task(self._loop(), name="invigil-live")
        return self

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()

    async def _mine(self, name: str, interval: float) -> bool:
        """This tick of `name` is this process's to run (one process per tick, fleet-wide).
        Redis away: run it anyway — a sweep is idempotent, and the boards are closed then."""
        try:
            key = f"invigil:live-sweep:{name}"
            return bool(await self.redis.set(key, "1", nx=True, px=int(interval * 900)))
        except Exception:
            return True

    async def _loop(self) -> None:
        tick = min(self.sweeps.values(), default=1.0)
        while True:
            now = time.monotonic()
            for name, at in list(self.next_run.items()):
                if now >= at:
                    interval = self.sweeps[name]
                    self.next_run[name] = now + interval
                    if await self._mine(name, interval):
                        await sync_to_async(self.call, thread_sensitive=False)(name, ())
            try:
                await sync_to_async(self.resume, thread_sensitive=False)()
            except Exception:
                logger.exception("Resuming held follow-ups failed")
            await asyncio.sleep(tick)


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
    global _runner, _ticker
    if _runner is not None:
        await _runner.stop()
        _runner = None
    if _ticker is not None:
        await _ticker.stop()
        _ticker = None


_ticker: LiveTicker | None = None


def start_live(call, resume) -> LiveTicker | None:
    """With a broker (and LIVE_SWEEPS_IN_WEB): this web process's live ticker, on the running
    loop (idempotent); None in the embedded mode (its runner does the same) or without one."""
    global _ticker
    if settings.EMBEDDED_RUNNER or not settings.REDIS_URL or not settings.LIVE_SWEEPS_IN_WEB:
        return None
    if _ticker is None:
        _ticker = LiveTicker(dict(settings.LIVE_SWEEPS), call, resume).start()
        logger.info("Live ticker started: %s", ", ".join(sorted(_ticker.sweeps)))
    return _ticker


def active() -> "EmbeddedRunner | None":
    return _runner
