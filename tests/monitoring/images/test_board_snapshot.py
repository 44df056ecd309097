"""The board card's picture: the candidate's newest snapshot, and never a deleted one."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from common.http import RequestInfo
from config.asgi import application as asgi_app
from monitoring.images.services import monitoring_image_delete, snapshot_announce
from tests.factories import MonitoringConsentFactory
from tests.monitoring.conftest import store_frame
from tests.sockets import handshake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def _live_with_snapshots(acme):
    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    now = timezone.now()
    older = store_frame(acme.application, "one_face.jpg", now - timedelta(seconds=40))
    newer = store_frame(acme.application, "one_face_moved.jpg", now - timedelta(seconds=10))
    for image in (older, newer):
        snapshot_announce(image_id=image.id)
    added = store_frame(acme.application, "one_face.jpg", now)  # the recruiter's, newest
    added.uploaded_by = acme.recruiter
    added.save()
    snapshot_announce(image_id=added.id)
    client = Client()
    client.force_login(acme.recruiter)
    return older, newer, client.cookies["sessionid"].value


@database_sync_to_async
def _delete(acme, image):
    monitoring_image_delete(actor=acme.recruiter, image=image, info=RequestInfo())


async def test_a_deleted_snapshot_leaves_the_card(acme):
    older, newer, cookie = await _live_with_snapshots(acme)
    comm = WebsocketCommunicator(
        asgi_app,
        "/ws/camera/streams/",
        headers=handshake(cookie=cookie),
    )
    await comm.connect()
    (card,) = (await comm.receive_json_from(timeout=3))["streams"]
    assert card["snapshot_at"] == newer.captured_at.isoformat().replace("+00:00", "Z")
    assert card["camera_interval"] == acme.application.camera_interval

    await _delete(acme, newer)
    updated = await comm.receive_json_from(timeout=3)
    assert updated["type"] == "stream.updated"
    assert updated["stream"]["snapshot_at"] == older.captured_at.isoformat().replace("+00:00", "Z")
    assert updated["stream"]["snapshot_url"]

    await _delete(acme, older)
    emptied = await comm.receive_json_from(timeout=3)
    assert emptied["stream"]["snapshot_url"] is None  # back to the camera icon
    stream = await database_sync_to_async(CameraStream.objects.get)(user=acme.candidate)
    assert stream.snapshot_key == ""
    await comm.disconnect()
