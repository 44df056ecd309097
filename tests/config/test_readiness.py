"""Readiness answers anonymous callers with status words only, gives the reasons to signed-in
admins or to `X-Health-Token: <HEALTH_DETAIL_TOKEN>`, and runs its checks at most once per
HEALTH_CACHE_SECONDS (issue 26, point 5; DESIGN.md third wave)."""

import pytest
from rest_framework.test import APIClient

from config import health

pytestmark = pytest.mark.django_db

URL = "/api/health/ready/"
SECRET = "s3cret-health-token-0123456789"


@pytest.fixture
def broken_storage(monkeypatch, settings):
    """Storage fails with an internal reason; every other check passes. No cache."""
    settings.HEALTH_DETAIL_TOKEN = SECRET
    settings.HEALTH_CACHE_SECONDS = 0
    calls = []

    def storage() -> str:
        calls.append(1)
        raise OSError("connect to s3.internal.example:9000 refused (bucket invigil-prod)")

    monkeypatch.setitem(health.CHECKS, "storage", storage)
    health.forget()
    yield calls
    health.forget()


def test_anonymous_callers_get_status_words_without_reasons(client, broken_storage):
    response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"] == "down"
    assert set(body["checks"].values()) <= {"ok", "skipped", "down"}
    assert b"internal" not in response.content


@pytest.mark.parametrize("token", ["", "wrong", SECRET[:-1]])
def test_a_wrong_or_empty_token_gets_no_reasons(client, broken_storage, token):
    assert client.get(URL, HTTP_X_HEALTH_TOKEN=token).json()["checks"]["storage"] == "down"


def test_the_health_token_gets_the_reasons(client, broken_storage):
    body = client.get(URL, HTTP_X_HEALTH_TOKEN=SECRET).json()
    assert body["checks"]["storage"].startswith("down: connect to s3.internal.example")


def test_no_token_is_accepted_while_none_is_configured(client, broken_storage, settings):
    settings.HEALTH_DETAIL_TOKEN = ""
    assert client.get(URL, HTTP_X_HEALTH_TOKEN="").json()["checks"]["storage"] == "down"


def test_signed_in_admins_get_the_reasons_and_others_do_not(
    client, broken_storage, admin_user, acme, token_client_for
):
    client.force_login(admin_user)
    assert client.get(URL).json()["checks"]["storage"].startswith("down: ")
    assert token_client_for(admin_user).get(URL).json()["checks"]["storage"].startswith("down: ")
    for user in (acme.recruiter, acme.candidate):
        assert token_client_for(user).get(URL).json()["checks"]["storage"] == "down"


def test_the_checks_run_once_per_cache_period(client, broken_storage, settings):
    settings.HEALTH_CACHE_SECONDS = 60
    for _ in range(5):
        assert client.get(URL).status_code == 503
    assert client.get(URL, HTTP_X_HEALTH_TOKEN=SECRET).status_code == 503
    assert len(broken_storage) == 1
    health.forget()
    client.get(URL)
    assert len(broken_storage) == 2


def test_a_healthy_embedded_server_answers_ok_to_anyone():
    body = APIClient().get(URL).json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker", "storage"}
