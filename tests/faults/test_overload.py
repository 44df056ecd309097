"""Overload, caused for real: a server whose database pool has one connection, held by a
request that waits on a row lock this test holds. The next request cannot get a connection
within the pool's time-out: it answers 503 `server_busy` with Retry-After (never a 500), and
once the lock is released the first request finishes as if nothing happened."""

import threading
import time

import pytest
import requests
from django.db import transaction
from rest_framework.authtoken.models import Token

from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from tests.factories import MonitoringConsentFactory
from tests.processes import asgi_server, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_exhausted_database_pool_answers_503_then_recovers(acme, tmp_path):
    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    headers = {"Authorization": f"Token {Token.objects.create(user=acme.candidate).key}"}
    env = child_env(
        TEST_DATABASE_POOL="true",
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="1",
        DATABASE_POOL_TIMEOUT="1.5",
    )
    with asgi_server(env, tmp_path / "asgi.log") as url:
        first: dict = {}

        def camera_off():
            response = requests.post(
                url + "/api/camera/status", json={"is_active": False}, headers=headers, timeout=30
            )
            first["status"] = response.status_code

        with transaction.atomic():
            CameraStream.objects.select_for_update().get(user=acme.candidate)  # the lock
            holder = threading.Thread(target=camera_off)
            holder.start()
            time.sleep(1.0)  # the camera-off now holds the server's only connection, waiting
            began = time.monotonic()
            busy = requests.get(url + "/api/auth/me/", headers=headers, timeout=30)
            waited = time.monotonic() - began
            done_before_release = dict(first)
        holder.join(30)

    assert busy.status_code == 503, (busy.text, waited, done_before_release, first)
    assert busy.headers["Retry-After"] == "2"
    assert busy.json() == {
        "success": False,
        "message": "The server is busy right now; nothing was changed. Retry in a few seconds.",
        "code": "server_busy",
    }
    assert first["status"] == 200  # the waiting request finished once the lock was gone
    assert not CameraStream.objects.get(user=acme.candidate).is_active
