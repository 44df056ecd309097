"""Database connections around network waits."""

from django.db import connection


def release_connection() -> None:
    """Hand the request's database connection back (to the pool, or closed) before waiting on
    another service: a store that hangs must not hold a connection that other requests need.
    The next query takes one again. Inside a transaction nothing is released (it cannot be)."""
    if not connection.in_atomic_block:
        connection.close()


BUSY_RETRY_AFTER = 2  # seconds: a client waits this long before it tries again


def is_pool_exhausted(exc: BaseException) -> bool:
    """Every pooled database connection stayed busy for the pool's whole timeout: the server
    is overloaded, the request itself was fine (a 503 with Retry-After, never a 500)."""
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # no pool installed: nothing to recognise
        return False
    seen = exc
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, PoolTimeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
