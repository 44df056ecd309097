"""Database connections around network waits."""

from django.db import connection


def release_connection() -> None:
    """Hand the request's database connection back (to the pool, or closed) before waiting on
    another service: a store that hangs must not hold a connection that other requests need.
    The next query takes one again. Inside a transaction nothing is released (it cannot be)."""
    if not connection.in_atomic_block:
        connection.close()
