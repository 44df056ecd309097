"""Heartbeats, written to the database in batches: one UPDATE per second for every heartbeat
this process received, instead of one per heartbeat.

Two kinds of heartbeat come here:
- from the page's presence socket (`/ws/camera/presence/`): every one is batched; a socket
  whose stream turns out not to be live any more is told `{"type": "stale"}` after the flush;
- from HTTP (`POST /api/camera/status` with `is_active: true`, the seed's clients): a heartbeat
  for a stream this process recently found live is batched and answered at once; any other
  takes the database path (camera_stream_set_status), which confirms the stream here.
`last_updated` lags by at most CAMERA_HEARTBEAT_FLUSH_SECONDS.

The flusher is a task on the ASGI server's event loop that hands each flush to a worker
thread (sync_to_async): the board messages a flush sends (async_to_sync inside
camera_streams_touch) then run on that loop, which the in-memory channel layer of the embedded
mode needs: its queues can only be woken by their own loop. With no server loop around
(management commands, WSGI tests) it is a plain thread.
"""

import asyncio
import logging
import threading
import time

from asgiref.sync import SyncToAsync, sync_to_async
from django.conf import settings
from django.db import close_old_connections

from .services import camera_streams_touch

logger = logging.getLogger(__name__)


class HeartbeatBatcher:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[int, int | None] = {}
        self.sockets: dict[int, set] = {}  # user id → {(consumer, loop)}
        self.confirmed: dict[int, tuple[int | None, float]] = {}  # user → (application, until)
        self.loop: asyncio.AbstractEventLoop | None = None  # the loop the flusher serves
        self.generation = 0
        self.running = False

    def _confirm_ttl(self) -> float:
        return max(5.0, settings.CAMERA_STREAM_TIMEOUT / 2)

    def _ensure_flusher(self) -> None:
        """Called with the lock held, from a socket (on the loop) or a request thread."""
        loop = _server_loop()
        if self.running and loop is self.loop:
            return
        self.generation += 1
        self.loop, self.running, generation = loop, True, self.generation
        if loop is None:
            threading.Thread(
                target=self._run, args=(generation,), name="heartbeat-flush", daemon=True
            ).start()
        else:
            loop.call_soon_threadsafe(lambda: loop.create_task(self._run_on_loop(generation)))

    # --- Sockets ------------------------------------------------------------------------------

    def add(self, consumer, user_id: int, application_id: int | None) -> None:
        """A socket heartbeat: batched; the socket hears `stale` if its stream is not live."""
        with self.lock:
            self.pending[user_id] = application_id
            self.sockets.setdefault(user_id, set()).add((consumer, asyncio.get_running_loop()))
            self._ensure_flusher()

    def forget(self, consumer, user_id: int) -> None:
        with self.lock:
            owners = self.sockets.get(user_id)
            if owners:
                owners.difference_update({o for o in owners if o[0] is consumer})
                if not owners:
                    self.sockets.pop(user_id, None)

    # --- HTTP ---------------------------------------------------------------------------------

    def accept_http(self, user_id: int, application_id: int | None) -> bool:
        """Batch an HTTP heartbeat of a stream known live here; False: use the database path."""
        if not settings.CAMERA_HTTP_HEARTBEAT_BATCH:
            return False
        with self.lock:
            known = self.confirmed.get(user_id)
            if known is None or known[1] < time.monotonic():
                return False
            if application_id is not None and application_id != known[0]:
                return False
            self.pending[user_id] = known[0]
            self._ensure_flusher()
            return True

    def confirm(self, user_id: int, application_id: int | None) -> None:
        """The database path found (or made) this stream live."""
        if settings.CAMERA_HTTP_HEARTBEAT_BATCH:
            with self.lock:
                self.confirmed[user_id] = (application_id, time.monotonic() + self._confirm_ttl())

    def unconfirm(self, user_id: int) -> None:
        with self.lock:
            self.confirmed.pop(user_id, None)

    # --- Flushing -----------------------------------------------------------------------------

    async def _run_on_loop(self, generation: int) -> None:
        flush = sync_to_async(self._flush_once, thread_sensitive=False)
        try:
            while generation == self.generation:
                await asyncio.sleep(settings.CAMERA_HEARTBEAT_FLUSH_SECONDS)
                await flush()
        finally:  # cancelled with its loop (server shutdown; a test's loop)
            with self.lock:
                if generation == self.generation:
                    self.running = False

    def _run(self, generation: int) -> None:
        while generation == self.generation:
            time.sleep(settings.CAMERA_HEARTBEAT_FLUSH_SECONDS)
            self._flush_once()

    def _flush_once(self) -> None:
        try:
            self.flush()
        except Exception:
            logger.exception("Heartbeat flush failed")
        finally:
            close_old_connections()

    def flush(self) -> None:
        with self.lock:
            batch, self.pending = self.pending, {}
        if not batch:
            return
        live = camera_streams_touch(heartbeats=batch)
        until = time.monotonic() + self._confirm_ttl()
        with self.lock:
            for user_id in batch:
                if user_id in live:
                    if user_id in self.confirmed:
                        self.confirmed[user_id] = (self.confirmed[user_id][0], until)
                else:
                    self.confirmed.pop(user_id, None)
            stale = [(user_id, set(self.sockets.get(user_id, ()))) for user_id in set(batch) - live]
        for _, owners in stale:
            for consumer, loop in owners:
                asyncio.run_coroutine_threadsafe(consumer.send_json({"type": "stale"}), loop)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()  # a socket consumer
    except RuntimeError:
        pass
    # A request thread: asgiref records the loop it was called from (the server's).
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and not loop.is_closed() else None


_batcher = HeartbeatBatcher()


def batcher() -> HeartbeatBatcher:
    return _batcher
