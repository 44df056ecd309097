"""Rate limits that hold across processes, on the `limits` library.

With REDIS_URL the counters live in Redis (one moving window shared by every ASGI process and
machine); without it, in this process's memory. RATE_LIMIT_ENABLED=false switches every limit
off at once (load tests, benchmarks that drive the app from one loopback address).

    if not allow("events", app_id, rate=settings.RATE_LIMIT_EVENTS): …
    retry = retry_after("events", app_id, rate=…)   # seconds until a slot frees

Socket limits are per connection and per message type: `SocketLimits` keeps them in this
process's memory (a connection lives in one process).

"One at a time" (a user's zip export) is a hold, not a window: `hold(scope, key, seconds=…)`
gives a release function, or None while someone else holds that key — a Redis lock (redis-py's
`Lock`: a token, compare-and-delete, an expiry so that a dead process cannot hold it for ever)
with REDIS_URL, this process's memory otherwise.
"""

import contextlib
import math
import threading
import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

PREFIX = "invigil"


@lru_cache(maxsize=1)
def _shared() -> MovingWindowRateLimiter:
    url = settings.REDIS_URL
    storage = storage_from_string(url) if url else MemoryStorage()
    return MovingWindowRateLimiter(storage)


@lru_cache(maxsize=64)
def item(rate: str) -> RateLimitItem:
    """'20 per 150 seconds', '10/minute' … (the limits library's notation)."""
    return parse(rate)


def allow(scope: str, *key, rate: str) -> bool:
    """Count one hit; False when the window is full."""
    if not settings.RATE_LIMIT_ENABLED:
        return True
    return _shared().hit(item(rate), PREFIX, scope, *map(str, key))


def exhausted(scope: str, *key, rate: str) -> bool:
    """Whether the window is full, without counting a hit (a check before the act)."""
    if not settings.RATE_LIMIT_ENABLED:
        return False
    return not _shared().test(item(rate), PREFIX, scope, *map(str, key))


def retry_after(scope: str, *key, rate: str) -> int:
    """Whole seconds until the window has room again (for the Retry-After header)."""
    stats = _shared().get_window_stats(item(rate), PREFIX, scope, *map(str, key))
    return max(1, math.ceil(stats.reset_time - time.time()))


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=1)


_holds: dict[str, tuple[float, object]] = {}  # name -> (expires, owner), without REDIS_URL
_holds_lock = threading.Lock()


def _once(release: Callable[[], None]) -> Callable[[], None]:
    done = threading.Event()

    def release_once() -> None:
        if not done.is_set():
            done.set()
            release()

    return release_once


def hold(scope: str, *key, seconds: float) -> Callable[[], None] | None:
    """Take the hold of `key` for at most `seconds`: a function that gives it back (calling it
    twice is harmless), or None while another caller holds it. Off with the limits."""
    if not settings.RATE_LIMIT_ENABLED:
        return lambda: None
    name = ":".join([PREFIX, "hold", scope, *map(str, key)])
    if settings.REDIS_URL:
        import redis

        lock = _redis().lock(name, timeout=seconds, blocking=False)
        try:
            if not lock.acquire():
                return None
        except redis.RedisError:
            return lambda: None  # a limit, not a lock that guards data: open while Redis is out

        def release() -> None:
            with contextlib.suppress(redis.RedisError):  # expired, or Redis is out
                lock.release()

        return _once(release)
    owner, now = object(), time.monotonic()
    with _holds_lock:
        held = _holds.get(name)
        if held is not None and held[0] > now:
            return None
        _holds[name] = (now + seconds, owner)

    def forget() -> None:
        with _holds_lock:
            if _holds.get(name, (0.0, None))[1] is owner:
                del _holds[name]

    return _once(forget)


def release_all_holds() -> None:
    """Drop every hold (tests)."""
    with _holds_lock:
        _holds.clear()
    if settings.REDIS_URL:
        client = _redis()
        for name in client.scan_iter(f"{PREFIX}:hold:*"):
            client.delete(name)


class SocketLimits:
    """Per-connection limits, one per message type, in this process's memory."""

    _limiter = MovingWindowRateLimiter(MemoryStorage())

    def __init__(self, connection_id: str, rates: dict[str, str]):
        self.connection_id = connection_id
        self.rates = rates

    def allow(self, message_type: str) -> bool:
        rate = self.rates.get(message_type)
        if rate is None or not settings.RATE_LIMIT_ENABLED:
            return True
        return self._limiter.hit(item(rate), "socket", self.connection_id, message_type)

    def retry_after(self, message_type: str) -> int:
        stats = self._limiter.get_window_stats(
            item(self.rates[message_type]), "socket", self.connection_id, message_type
        )
        return max(1, math.ceil(stats.reset_time - time.time()))
