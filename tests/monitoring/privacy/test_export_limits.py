"""The zip export is bounded (issue 26, point 5; DESIGN.md third wave): one at a time and
EXPORT_MAX_PER_HOUR per user (429 `rate_limited`), EXPORT_WORKERS at once per process (503
`server_busy`), each with Retry-After; a refused request (404) spends nothing, and the rest of
the site answers while every export slot is taken."""

import gc

import pytest

pytestmark = pytest.mark.django_db


def _url(org) -> str:
    return f"/api/applications/{org.application.pk}/export.zip"


def _finish(response) -> None:
    """Read the archive to its end: the test client then closes the response, and the slot
    is given back."""
    assert response.status_code == 200, response
    b"".join(response.streaming_content)


def _assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response
    body = response.json()
    assert body["success"] is False and body["code"] == code and body["message"]
    assert int(response["Retry-After"]) >= 1


def test_one_export_at_a_time_per_user(acme, client_for, limits_on):
    client = client_for(acme.candidate)
    first = client.get(_url(acme))
    assert first.status_code == 200
    _assert_refused(client.get(_url(acme)), 429, "rate_limited")
    _finish(first)
    _finish(client.get(_url(acme)))


def test_a_few_exports_per_hour_per_user(acme, client_for, limits_on):
    limits_on.EXPORT_MAX_PER_HOUR = 2
    client = client_for(acme.recruiter)
    _finish(client.get(_url(acme)))
    _finish(client.get(_url(acme)))
    refused = client.get(_url(acme))
    _assert_refused(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) <= 3600
    _finish(client_for(acme.candidate).get(_url(acme)))  # another user's own hour


def test_a_refused_export_spends_nothing(acme, globex, client_for, limits_on):
    limits_on.EXPORT_MAX_PER_HOUR = 1
    stranger = client_for(globex.candidate)
    for _ in range(3):
        assert stranger.get(_url(acme)).status_code == 404
    _finish(stranger.get(_url(globex)))  # the stranger's own hour was not spent either
    _finish(client_for(acme.candidate).get(_url(acme)))


def test_beyond_the_process_pool_is_503_and_the_site_still_answers(
    acme, globex, admin_user, client_for, settings
):
    assert settings.EXPORT_WORKERS == 2
    running = [client_for(acme.candidate).get(_url(acme)), client_for(admin_user).get(_url(acme))]
    assert [r.status_code for r in running] == [200, 200]
    busy = client_for(globex.candidate).get(_url(globex))
    _assert_refused(busy, 503, "server_busy")
    assert client_for(globex.candidate).get("/api/auth/me/").status_code == 200
    _finish(running.pop())
    _finish(client_for(globex.candidate).get(_url(globex)))
    _finish(running.pop())


@pytest.fixture(autouse=True)
def _no_hold_left():
    """Each test starts with every slot free: a response another test never read sits in a
    reference cycle with its test client and gives its slot back only when the cycle
    collector frees it; and a failed test must not leave a user's hold (Redis keeps it)."""
    gc.collect()
    yield
    from common import ratelimit

    ratelimit.release_all_holds()
