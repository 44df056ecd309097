"""Django's ASGI handler: one trip to a reused thread per request.

Threads reused: Django's handler enters a fresh `ThreadSensitiveContext` per request, and
asgiref starts a new thread for each one: under load the event loop spends its time starting
threads (and waiting for each to come up while other threads hold the GIL) instead of reading
sockets. Here each request borrows a single-thread executor from a free list and gives it back
when the response is sent; the list keeps at most ASGI_SYNC_THREADS of them.

One trip: Django's handler runs the `request_started` receivers, the middleware chain, the
view and `response.close()` (the `request_finished` receivers) as separate steps, and the
chain itself switches between the loop and the request's thread wherever an async-capable
middleware meets a sync-only one (ours and whitenoise's are sync-only; allauth's, axes' and
Django's own are both). That was ten hand-offs per request, each waiting for a busy event loop
to take its turn: under the 300-candidate burst of bench/load.py, twenty requests of a process
sat blocked in SecondFactorMiddleware waiting for the loop to run the middleware below it.
Here the whole of it — the started signal, the chain loaded in sync mode, the view, and for a
response already in memory its close — runs in one call on the request's thread; the loop
reads the body before and sends the response after. A streaming response (the export) is
closed after it was sent, as Django does. Thread-sensitivity is kept: one request's synchronous
code runs on one thread, and no two requests share a thread at the same time.
"""

import asyncio
import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix


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
        self.load_middleware(is_async=False)  # the chain runs whole on the request's thread
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

    async def handle(self, scope, receive, send):
        """Read the body on the loop, serve the request in one call on its thread, send the
        response on the loop; a client that goes away meanwhile cancels the sending."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            body_file.close()
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return

        async def respond():
            response = await sync_to_async(self.serve, thread_sensitive=True)(scope, request)
            with contextlib.suppress(asyncio.CancelledError):  # the client left meanwhile
                await self.send_response(response, send)
            return response

        serving = asyncio.create_task(respond())
        watching = asyncio.create_task(self.listen_for_disconnect(receive))
        _, pending = await asyncio.wait([serving, watching], return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()  # the client went away first: a streaming body stops here
        if pending:
            await asyncio.wait(pending)
        if watching.done() and not watching.cancelled():
            watching.exception()  # RequestAborted: the client left; nothing to do
        try:
            if serving.cancelled():
                await signals.request_finished.asend(sender=self.__class__)
            else:
                response = serving.result()  # a failure outside the chain is raised here
                if response.streaming:  # sent now: closed now, as Django does
                    await sync_to_async(response.close)()
        finally:
            body_file.close()

    def serve(self, scope, request):
        """The request, whole, on its thread: started signal, middleware, view, and the close
        of a response already in memory (its connection goes back to the pool before the
        response is sent)."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        response = self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size  # the server does its own chunking
        if not response.streaming:
            response.close()
        return response


def get_asgi_application() -> PooledThreadsASGIHandler:
    """django.core.asgi.get_asgi_application, with this handler."""
    import django

    django.setup(set_prefix=False)
    return PooledThreadsASGIHandler()
