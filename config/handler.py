"""Django's ASGI handler with its synchronous threads reused.

Django's handler enters a fresh `ThreadSensitiveContext` per request, and asgiref starts a new
thread for each one: under load the event loop spends its time starting threads (and waiting
for each to come up while other threads hold the GIL) instead of reading sockets. Here each
request borrows a single-thread executor from a free list and gives it back when the response
is sent; the list keeps at most ASGI_SYNC_THREADS of them. Thread-sensitivity is kept: one
request's synchronous code still runs on one thread, and no two requests share a thread at
the same time.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler


class ThreadLease:
    """Single-thread executors, lent out one per request and reused."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.free: list[ThreadPoolExecutor] = []
        self.lock = threading.Lock()
        self.made = 0

    def take(self) -> ThreadPoolExecutor:
        with self.lock:
            if self.free:
                return self.free.pop()
            self.made += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="asgi-sync")

    def give(self, executor: ThreadPoolExecutor) -> None:
        with self.lock:
            if len(self.free) < self.keep:
                self.free.append(executor)
                return
        executor.shutdown(wait=False)  # beyond what is kept: its thread ends when idle


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.threads = ThreadLease(keep=settings.ASGI_SYNC_THREADS)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give(executor)


def get_asgi_application() -> PooledThreadsASGIHandler:
    """django.core.asgi.get_asgi_application, with this handler."""
    import django

    django.setup(set_prefix=False)
    return PooledThreadsASGIHandler()
