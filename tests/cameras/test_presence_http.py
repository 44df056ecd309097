"""HTTP heartbeats (the seed's clients poll `POST /api/camera/status`) of a stream this process
found live moments ago are batched like the socket's: answered at once, written within a
second, in one UPDATE for all of them."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import CameraStream
from cameras.presence import batcher
from cameras.services import camera_stream_stop

pytestmark = pytest.mark.django_db(transaction=True)

STATUS = "/api/camera/status"


@pytest.fixture
def batching(settings):
    settings.CAMERA_HTTP_HEARTBEAT_BATCH = True
    settings.CAMERA_HEARTBEAT_FLUSH_SECONDS = 0.1
    batcher().confirmed.clear()
    yield
    batcher().confirmed.clear()


def _beat(client, application):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            STATUS, {"is_active": True, "application_id": application.id}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is True
    return [q["sql"] for q in queries if "cameras_camerastream" in q["sql"]]


def _age(user, seconds):
    then = timezone.now() - timedelta(seconds=seconds)
    CameraStream.objects.filter(user=user).update(last_updated=then)
    return then


def _wait_fresher(user, than, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if CameraStream.objects.get(user=user).last_updated > than:
            return True
        time.sleep(0.05)
    return False


def test_heartbeat_of_a_confirmed_stream_is_batched(acme, token_client_for, batching):
    client = token_client_for(acme.candidate)
    assert _beat(client, acme.application)  # first: the database path turns the stream on
    then = _age(acme.candidate, 10)
    assert _beat(client, acme.application) == []  # answered without touching the stream
    assert _wait_fresher(acme.candidate, then)  # …and written by the flusher


def test_a_stream_ended_elsewhere_goes_back_to_the_database_path(acme, token_client_for, batching):
    client = token_client_for(acme.candidate)
    _beat(client, acme.application)
    camera_stream_stop(user=acme.candidate, application_id=acme.application.id)
    _beat(client, acme.application)  # still believed live here: batched, found ended at flush
    deadline = time.monotonic() + 5
    while acme.candidate.pk in batcher().confirmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert acme.candidate.pk not in batcher().confirmed
    assert _beat(client, acme.application)  # the database decides again


def test_another_application_or_camera_off_is_never_batched(
    acme, token_client_for, batching, settings
):
    client = token_client_for(acme.candidate)
    _beat(client, acme.application)
    other = client.post(STATUS, {"is_active": True, "application_id": 10**6}, format="json")
    assert other.status_code == 404  # not batched under the confirmed application
    off = client.post(STATUS, {"is_active": False}, format="json")
    assert off.status_code == 200
    assert not CameraStream.objects.get(user=acme.candidate).is_active
    assert _beat(client, acme.application)  # off forgot the confirmation


def test_batching_off_writes_every_heartbeat(acme, token_client_for, settings):
    settings.CAMERA_HTTP_HEARTBEAT_BATCH = False
    client = token_client_for(acme.candidate)
    _beat(client, acme.application)
    assert _beat(client, acme.application)
