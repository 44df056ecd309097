"""Sign-in lockout (django-axes) that an attacker cannot aim at a candidate: one username is
locked from one address only; another address still signs in. The API answers 429
`locked_out`, the form a plain message; it unlocks after the window or by an admin."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
CANDIDATE_HOME = "198.51.100.7"


def _fail_from(client, ip, times=10):
    for _ in range(times):
        client.post("/accounts/login/", {"username": "john", "password": "nope"}, REMOTE_ADDR=ip)


def test_ten_failures_lock_the_username_from_that_address_only(acme, client, password, limits_on):
    _fail_from(client, ATTACKER)
    locked = client.post(
        "/accounts/login/", {"username": "john", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert locked.status_code == 429
    assert b"Too many failed sign-ins for this account from your address" in locked.content
    assert int(locked["Retry-After"]) == 900
    # John at home is not affected.
    ok = client.post(
        "/accounts/login/", {"username": "john", "password": password}, REMOTE_ADDR=CANDIDATE_HOME
    )
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_the_api_answers_429_locked_out(acme, api_client, password, limits_on):
    limits_on.RATE_LIMIT_TOKEN = "100 per 60 seconds"  # the lockout, not the token rate
    for _ in range(10):
        api_client.post(
            "/api/auth/token/",
            {"username": "rita", "password": "x"},
            format="json",
            REMOTE_ADDR=ATTACKER,
        )
    response = api_client.post(
        "/api/auth/token/",
        {"username": "rita", "password": password},
        format="json",
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out" and response["Retry-After"] == "900"
    elsewhere = api_client.post(
        "/api/auth/token/",
        {"username": "rita", "password": password},
        format="json",
        REMOTE_ADDR=CANDIDATE_HOME,
    )
    assert elsewhere.status_code == 200 and elsewhere.json()["token"]


def test_the_lock_lifts_after_the_window(acme, client, password, limits_on):
    _fail_from(client, ATTACKER)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        ok = client.post(
            "/accounts/login/", {"username": "john", "password": password}, REMOTE_ADDR=ATTACKER
        )
    assert ok.status_code == 302


def test_an_admin_unlocks_it(acme, admin_user, client, password, limits_on):
    _fail_from(client, ATTACKER)
    client.force_login(admin_user)
    attempt = AccessAttempt.objects.get(username="john")
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    client.post(f"/admin/axes/accessattempt/{attempt.id}/delete/", {"post": "yes"})
    client.logout()
    ok = client.post(
        "/accounts/login/", {"username": "john", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert ok.status_code == 302


def test_one_address_trying_many_usernames_is_held_back(acme, globex, client, password, limits_on):
    limits_on.RATE_LIMIT_SIGNIN_ADDRESS = "6 per 900 seconds"
    for name in ("john", "mary", "rita", "gina", "nobody", "admin"):
        client.post("/accounts/login/", {"username": name, "password": "x"}, REMOTE_ADDR=ATTACKER)
    blocked = client.post(
        "/accounts/login/", {"username": "mary", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert blocked.status_code == 429
    assert b"Too many failed sign-ins from your address" in blocked.content
    ok = client.post(
        "/accounts/login/", {"username": "mary", "password": password}, REMOTE_ADDR=CANDIDATE_HOME
    )
    assert ok.status_code == 302
