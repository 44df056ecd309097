"""Heartbeats over the presence socket: batched into one UPDATE, stale streams told so."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from cameras.models import CameraStream
from cameras.services import camera_stream_set_status, camera_streams_touch
from config.asgi import application as asgi_app
from tests.sockets import handshake

pytestmark = pytest.mark.django_db(transaction=True)  # asyncio_mode = auto


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _socket(path, user=None) -> WebsocketCommunicator:
    headers = handshake(cookie=await _cookie(user) if user is not None else None)
    comm = WebsocketCommunicator(asgi_app, path, headers=headers)
    assert (await comm.connect())[0]
    return comm


@database_sync_to_async
def _stream(user):
    return CameraStream.objects.get(user=user)


async def test_heartbeats_are_acked_and_flushed_in_a_batch(acme, settings):
    settings.CAMERA_HEARTBEAT_FLUSH_SECONDS = 0.1
    settings.CAMERA_BOARD_COALESCE_SECONDS = 0
    await database_sync_to_async(camera_stream_set_status)(
        user=acme.candidate, is_active=True, application=acme.application
    )
    before = (await _stream(acme.candidate)).last_updated
    board = await _socket("/ws/camera/streams/", acme.recruiter)
    await board.receive_json_from(timeout=3)  # snapshot

    presence = await _socket("/ws/camera/presence/", acme.candidate)
    await presence.send_json_to({"type": "heartbeat", "application_id": acme.application.id})
    assert (await presence.receive_json_from(timeout=3))["type"] == "ack"
    updated = await board.receive_json_from(timeout=3)  # one batch message, one frame per stream
    assert updated["type"] == "stream.updated" and updated["stream"]["username"] == "john"
    assert (await _stream(acme.candidate)).last_updated > before
    await presence.disconnect()
    await board.disconnect()


async def test_stale_stream_is_told_to_use_the_status_api(acme, settings):
    settings.CAMERA_HEARTBEAT_FLUSH_SECONDS = 0.1
    presence = await _socket("/ws/camera/presence/", acme.candidate)  # never turned on
    await presence.send_json_to({"type": "heartbeat"})
    assert (await presence.receive_json_from(timeout=3))["type"] == "ack"
    assert await presence.receive_json_from(timeout=3) == {"type": "stale"}
    await presence.disconnect()


async def test_bad_messages_and_anonymous(db):
    comm = WebsocketCommunicator(asgi_app, "/ws/camera/presence/", headers=handshake())
    await comm.connect()
    assert await comm.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}


async def test_bad_message_gets_an_error(acme):
    presence = await _socket("/ws/camera/presence/", acme.candidate)
    await presence.send_json_to({"type": "heartbeat", "application_id": "7"})
    assert (await presence.receive_json_from(timeout=3))["code"] == "invalid"
    await presence.disconnect()


@pytest.mark.django_db
def test_touch_refreshes_only_live_streams_of_the_same_application(acme, globex):
    now = timezone.now()
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    camera_stream_set_status(user=globex.candidate, is_active=True, application=globex.application)
    CameraStream.objects.filter(user=globex.candidate).update(last_updated=now - timedelta(hours=1))
    live = camera_streams_touch(
        heartbeats={acme.candidate.id: acme.application.id, globex.candidate.id: None, 999: None},
        now=now,
    )
    assert live == {acme.candidate.id}
    assert CameraStream.objects.get(user=acme.candidate).last_updated == now
    assert camera_streams_touch(heartbeats={acme.candidate.id: globex.application.id}) == set()


async def test_heartbeats_for_an_interview_that_may_not_be_recorded_are_stale(acme, settings):
    """Consent withdrawn (or the interview over) after the camera came on: the socket's
    heartbeats no longer keep the stream alive; the page is told to ask the HTTP API."""
    settings.CAMERA_HEARTBEAT_FLUSH_SECONDS = 0.1
    await database_sync_to_async(camera_stream_set_status)(
        user=acme.candidate, is_active=True, application=acme.application
    )

    @database_sync_to_async
    def withdraw_quietly():  # as if withdrawn elsewhere, without the receivers' camera stop
        from applications.models import MonitoringConsent

        MonitoringConsent.objects.update(withdrawn_at=timezone.now())

    await withdraw_quietly()
    from cameras.services import camera_streams_end_stale

    await database_sync_to_async(camera_streams_end_stale)()  # the sweep catches it
    comm = await _socket("/ws/camera/presence/", acme.candidate)
    await comm.send_json_to({"type": "heartbeat", "application_id": acme.application.id})
    assert (await comm.receive_json_from(timeout=3))["type"] == "ack"
    assert (await comm.receive_json_from(timeout=3))["type"] == "stale"
    await comm.disconnect()
