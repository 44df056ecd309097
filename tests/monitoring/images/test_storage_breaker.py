"""The storage breaker: writes run side by side (a breaker must not serialise them), a run
of storage errors opens it, and while open a write answers at once without touching S3."""

import threading

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import default_storage

from monitoring.images import storage
from monitoring.images.storage import StorageUnavailable, breaker, store


@pytest.fixture
def fresh_breaker(settings):
    settings.STORAGE_BREAKER_FAILURES = 3
    settings.STORAGE_BREAKER_SECONDS = 30
    storage._breaker = None
    yield breaker()
    storage._breaker = None


def test_concurrent_writes_are_not_serialised(fresh_breaker, monkeypatch):
    both_inside = threading.Barrier(2, timeout=10)
    results = []

    def save(name, content):
        both_inside.wait()  # breaks (BrokenBarrierError) unless both writes are in here at once
        return name

    monkeypatch.setattr(default_storage, "save", save)
    threads = [
        threading.Thread(target=lambda k=k: results.append(store(k, b"x"))) for k in ("a", "b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert sorted(results) == ["a", "b"]


def test_failures_open_the_breaker_and_an_open_breaker_answers_at_once(fresh_breaker, monkeypatch):
    calls = []

    def save(name, content):
        calls.append(name)
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")

    monkeypatch.setattr(default_storage, "save", save)
    for i in range(3):
        with pytest.raises(StorageUnavailable):
            store(f"k{i}", b"x")
    assert len(calls) == 3 and fresh_breaker.opened
    with pytest.raises(StorageUnavailable) as refused:
        store("k3", b"x")
    assert len(calls) == 3  # S3 was not asked again
    assert 1 <= refused.value.retry_after <= 30


def test_an_error_that_is_not_the_store_s_does_not_count(fresh_breaker, monkeypatch):
    def save(name, content):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(default_storage, "save", save)
    for _ in range(5):
        with pytest.raises(ValueError):
            store("k", b"x")
    assert not fresh_breaker.opened
