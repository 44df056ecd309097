"""The live board hears a current incident as it starts and as it clears."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from cameras.services import camera_stream_set_status
from config.asgi import application as asgi_app
from monitoring.integrity.services import integrity_frame_changed
from tests.factories import (
    FrameAnalysisFactory,
    MonitoringConsentFactory,
    MonitoringImageFactory,
)
from tests.sockets import handshake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def _setup(acme):
    app = acme.application
    app.camera_monitoring = False
    app.started_at = timezone.now() - timedelta(minutes=5)
    app.save()
    MonitoringConsentFactory(application=app)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=app)
    client = Client()
    client.force_login(acme.recruiter)
    return client.cookies["sessionid"].value


@database_sync_to_async
def _frame(app, seconds_ago: int, flags: list[str]):
    image = MonitoringImageFactory(
        application=app, captured_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    FrameAnalysisFactory(image=image, **dict.fromkeys(flags, True))
    integrity_frame_changed(image_id=image.id)


async def test_board_receives_incident_start_and_clear(acme):
    cookie = await _setup(acme)
    comm = WebsocketCommunicator(
        asgi_app,
        "/ws/camera/streams/",
        headers=handshake(cookie=cookie),
    )
    await comm.connect()
    snapshot = await comm.receive_json_from(timeout=3)
    assert snapshot["streams"][0]["incident"] is None

    await _frame(acme.application, 30, ["no_face"])
    assert await comm.receive_nothing(timeout=0.3)  # one bad frame: nothing yet
    await _frame(acme.application, 20, ["no_face"])
    started = await comm.receive_json_from(timeout=3)
    assert started["type"] == "stream.updated"
    assert started["stream"]["incident"]["type"] == "no_face"
    assert started["stream"]["incident"]["label"] == "No face visible"

    await _frame(acme.application, 10, [])
    cleared = await comm.receive_json_from(timeout=3)
    assert cleared["stream"]["incident"] is None
    await comm.disconnect()


async def test_embedded_sweeper_surfaces_a_snapshot_gap_on_the_board(acme, embedded_runner):
    """No beat: the embedded runner also runs monitoring's snapshot-gap sweep."""
    cookie = await _setup(acme)

    @database_sync_to_async
    def silent_camera():
        from cameras.models import CameraEvent

        app = acme.application
        app.camera_monitoring, app.camera_interval = True, 2
        app.save()
        CameraEvent.objects.filter(application=app).update(
            occurred_at=timezone.now() - timedelta(seconds=30)
        )

    await silent_camera()
    comm = WebsocketCommunicator(
        asgi_app,
        "/ws/camera/streams/",
        headers=handshake(cookie=cookie),
    )
    await comm.connect()
    await comm.receive_json_from(timeout=3)  # snapshot
    message = await comm.receive_json_from(timeout=5)
    assert message["stream"]["incident"]["type"] == "snapshot_gap"
    await comm.disconnect()
