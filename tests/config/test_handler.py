"""The ASGI handler reuses the threads that run synchronous views (issue 40): Django's own
starts a new thread per request, on the event loop."""

import asyncio
import threading

import pytest
from asgiref.testing import ApplicationCommunicator

from config.asgi import django_asgi_app
from config.handler import ThreadLease

pytestmark = pytest.mark.django_db(transaction=True)


async def _get(path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }
    comm = ApplicationCommunicator(django_asgi_app, scope)
    await comm.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await comm.receive_output(10)
    while (await comm.receive_output(10)).get("more_body"):
        pass
    return start["status"]


async def test_requests_reuse_threads_and_still_run_side_by_side():
    lease = django_asgi_app.threads
    assert await _get("/api/health/") == 200
    made, threads = lease.made, threading.active_count()
    for _ in range(20):
        assert await _get("/api/health/") == 200
    assert lease.made == made  # twenty requests, no new thread
    assert threading.active_count() <= threads
    statuses = await asyncio.gather(*(_get("/api/health/") for _ in range(5)))
    assert statuses == [200] * 5  # side by side: up to one thread each
    assert lease.made <= made + 4


def test_the_lease_keeps_at_most_its_size():
    lease = ThreadLease(keep=2)
    executors = [lease.take() for _ in range(3)]
    assert len({id(e) for e in executors}) == 3 and lease.made == 3
    for executor in executors:
        lease.give(executor)
    assert len(lease.free) == 2
    assert lease.take() in executors[:2]


async def test_a_request_makes_one_trip_to_its_thread(monkeypatch):
    """Started signal, middleware, view and close on one thread, in one hand-off from the loop:
    Django's own handler made about ten, each waiting for a busy loop (bench/load.py)."""
    from asgiref import sync
    from django.core import signals

    calls = {"to_thread": 0, "to_loop": 0}
    to_thread, to_loop = sync.SyncToAsync.__call__, sync.AsyncToSync.__call__

    async def counted_to_thread(self, *args, **kwargs):
        calls["to_thread"] += 1
        return await to_thread(self, *args, **kwargs)

    def counted_to_loop(self, *args, **kwargs):
        calls["to_loop"] += 1
        return to_loop(self, *args, **kwargs)

    seen = []

    def started(**kwargs):
        seen.append(("started", threading.get_ident()))

    def finished(**kwargs):
        seen.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted_to_thread)
    monkeypatch.setattr(sync.AsyncToSync, "__call__", counted_to_loop)
    try:
        assert await _get("/api/health/") == 200  # every middleware, a DRF view
        assert await _get("/no-such-page/") == 404  # a refusal logged on the way
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert calls == {"to_thread": 2, "to_loop": 0}
    assert [name for name, _ in seen] == ["started", "finished"] * 2
    assert seen[0][1] == seen[1][1] != threading.get_ident()  # one thread, not the loop's
