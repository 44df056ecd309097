"""Rate limits that hold across processes, on the `limits` library.

With REDIS_URL the counters live in Redis (one moving window shared by every ASGI process and
machine); without it, in this process's memory. RATE_LIMIT_ENABLED=false switches every limit
off at once (load tests, benchmarks that drive the app from one loopback address).

    if not allow("events", app_id, rate=settings.RATE_LIMIT_EVENTS): …
    retry = retry_after("events", app_id, rate=…)   # seconds until a slot frees

Socket limits are per connection and per message type: `SocketLimits` keeps them in this
process's memory (a connection lives in one process).
"""

import math
import time
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
