"""Shared fixtures: the two demo organizations with their people, and API clients.

`acme` and `globex` mirror seed_demo: a recruiter and a candidate with an application each,
plus one admin. Service fixtures (Redis, PostgreSQL, S3) fail under CI=true when the service
is missing and skip otherwise, so a CI run can never go green by skipping.
"""

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from tests.factories import (
    PASSWORD,
    AdminFactory,
    CandidateFactory,
    JobApplicationFactory,
    JobFactory,
    OrganizationFactory,
    RecruiterFactory,
)


def pytest_sessionstart(session):
    """Each run starts with no stored files: objects an earlier run left (its rows rolled back
    or flushed) would be orphans to this run's sweeps. Only this run's folder: the browser
    tests run beside the main run with their own (TEST_MEDIA_ROOT, bin/test)."""
    from django.conf import settings

    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    _compile_catalogues(settings.LOCALE_PATHS)


def _compile_catalogues(locale_paths) -> None:
    """The translated pages need locale/<language>/LC_MESSAGES/django.mo, which git does not
    keep: bin/test compiles them first; a pytest run of its own compiles any that is missing
    or older than its .po (msgfmt, GNU gettext)."""
    for po in (po for base in locale_paths for po in Path(base).glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# What a candidate's passed system check looks like (the check page, issue 36).
PASSED_CHECK = {
    "passed": True,
    "at": "2026-12-01T09:58:00+00:00",
    "steps": [
        {"name": "browser", "passed": True},
        {"name": "camera", "passed": True, "width": 640, "height": 480},
        {"name": "face", "passed": True, "face_count": 1},
        {"name": "screen", "passed": True},
        {"name": "upload", "passed": True, "mbps": 1.2, "needed_mbps": 0.07},
        {"name": "clock", "passed": True, "offset_ms": 120},
    ],
}


def require_service(name: str, available: bool, hint: str) -> None:
    """Fail under CI (a missing service must never turn into a green run); skip locally."""
    if available:
        return
    message = f"{name} is not available: {hint}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Org:
    organization: object
    recruiter: object
    candidate: object
    job: object
    application: object


def _org(slug: str, name: str, recruiter: tuple, candidate: tuple) -> Org:
    organization = OrganizationFactory(slug=slug, name=name)
    rec = RecruiterFactory(
        username=recruiter[0],
        first_name=recruiter[1],
        last_name=recruiter[2],
        organization=organization,
    )
    cand = CandidateFactory(username=candidate[0], first_name=candidate[1], last_name=candidate[2])
    job = JobFactory(organization=organization, title=f"{name} Engineer")
    application = JobApplicationFactory(job=job, candidate=cand)
    return Org(organization, rec, cand, job, application)


@pytest.fixture
def acme(db) -> Org:
    return _org("acme", "Acme", ("rita", "Rita", "Reyes"), ("john", "John", "Carter"))


@pytest.fixture
def globex(db) -> Org:
    return _org("globex", "Globex", ("gina", "Gina", "Grant"), ("mary", "Mary", "Moss"))


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client logged in (session, CSRF enforced) as the given user."""

    def make(user, *, with_csrf_header: bool = True):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user)
        if with_csrf_header:
            # What a page does: the csrftoken cookie, echoed in the X-CSRFToken header.
            secret = get_random_string(32)
            client.cookies["csrftoken"] = secret
            client.credentials(HTTP_X_CSRFTOKEN=secret)
        return client

    return make


@pytest.fixture
def token_client_for(db):
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_url(settings) -> str:
    """The real Redis of the integration tier (bin/test sets REDIS_URL and starts Redis)."""
    url = settings.REDIS_URL
    require_service("Redis", bool(url) and _redis_reachable(url), "set REDIS_URL (bin/test does)")
    return url


@pytest.fixture
def real_celery(redis_url):
    """Send tasks to the Redis broker instead of running them eagerly, for this test."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _layer_of_this_loop():
    """A channel layer per test: each async test runs on its own event loop, and a Redis
    layer's connections and receive lock belong to the loop that made them (a server has one
    loop for its whole life)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _candidates_have_checked_their_set_up(request):
    """The interview page sends a candidate who never ran the system check to the check first;
    the tests' candidates have run it (PASSED_CHECK), except in tests marked `unchecked`."""
    if request.node.get_closest_marker("unchecked"):
        yield
        return
    from django.db.models.signals import pre_save

    from applications.models import JobApplication

    def checked(sender, instance, **kwargs):
        if instance._state.adding and instance.system_check is None:
            instance.system_check = PASSED_CHECK

    pre_save.connect(checked, sender=JobApplication, weak=False, dispatch_uid="tests-checked")
    yield
    pre_save.disconnect(sender=JobApplication, dispatch_uid="tests-checked")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters start empty in every test (Redis keeps them across tests)."""
    from common import ratelimit

    ratelimit._shared.cache_clear()
    yield
    with contextlib.suppress(Exception):  # a test may have stopped its own Redis
        ratelimit._shared().storage.reset()
    ratelimit._shared.cache_clear()


@pytest.fixture
def limits_on(settings):
    """Switch the rate limits and the sign-in lockout on for one test."""
    settings.RATE_LIMIT_ENABLED = True
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
async def embedded_runner(settings):
    """The embedded mode's runner with quick sweeps, on this (async) test's loop."""
    from common.pipeline import run_task
    from common.runner import EmbeddedRunner

    runner = EmbeddedRunner(
        {
            "cameras.sweep_stale_streams": 0.2,
            "monitoring.sweep_snapshot_gaps": 0.2,
        },
        run_task,
    ).start()
    yield runner
    await runner.stop()
