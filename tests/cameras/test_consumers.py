"""The live board socket through the real ASGI stack (origin check, session auth, routing)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from cameras.services import camera_stream_set_status
from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

PATH = "/ws/camera/streams/"


@database_sync_to_async
def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _board(user=None, origin: bytes = b"http://testserver") -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await _session_cookie(user)}".encode()))
    return WebsocketCommunicator(application, PATH, headers=headers)


set_status = database_sync_to_async(camera_stream_set_status)


async def test_anonymous_is_accepted_then_closed_4401(db):
    comm = await _board()
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}


async def test_candidate_is_closed_4403(acme):
    comm = await _board(acme.candidate)
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}


async def test_foreign_origin_is_refused(acme):
    comm = await _board(acme.recruiter, origin=b"http://evil.example.com")
    connected, _ = await comm.connect()
    assert not connected


async def test_snapshot_then_started_updated_ended(acme, settings):
    settings.CAMERA_BOARD_COALESCE_SECONDS = 0
    await set_status(user=acme.candidate, is_active=True, application=acme.application)
    comm = await _board(acme.recruiter)
    connected, _ = await comm.connect()
    assert connected
    snapshot = await comm.receive_json_from(timeout=3)
    assert snapshot["type"] == "snapshot"
    assert [s["username"] for s in snapshot["streams"]] == ["john"]
    assert snapshot["timeout"] == settings.CAMERA_STREAM_TIMEOUT

    await set_status(user=acme.candidate, is_active=True, application=acme.application)
    updated = await comm.receive_json_from(timeout=3)
    assert updated["type"] == "stream.updated"
    assert updated["stream"]["user_id"] == acme.candidate.id

    await set_status(user=acme.candidate, is_active=False)
    ended = await comm.receive_json_from(timeout=3)
    assert ended["type"] == "stream.ended"
    assert ended["stream"]["user_id"] == acme.candidate.id
    assert ended["stream"]["is_active"] is False

    await set_status(user=acme.candidate, is_active=True, application=acme.application)
    started = await comm.receive_json_from(timeout=3)
    assert started["type"] == "stream.started"
    assert started["stream"]["name"] == "John Carter"
    await comm.disconnect()


async def test_other_organization_hears_nothing(acme, globex):
    gina = await _board(globex.recruiter)
    await gina.connect()
    assert (await gina.receive_json_from(timeout=3))["streams"] == []
    rita = await _board(acme.recruiter)
    await rita.connect()
    await rita.receive_json_from(timeout=3)

    await set_status(user=acme.candidate, is_active=True, application=acme.application)
    assert (await rita.receive_json_from(timeout=3))["type"] == "stream.started"
    assert await gina.receive_nothing(timeout=0.5)
    await gina.disconnect()
    await rita.disconnect()


async def test_admin_hears_every_organization(acme, globex, admin_user):
    comm = await _board(admin_user)
    await comm.connect()
    await comm.receive_json_from(timeout=3)
    await set_status(user=globex.candidate, is_active=True, application=globex.application)
    message = await comm.receive_json_from(timeout=3)
    assert message["stream"]["username"] == "mary"
    await comm.disconnect()


async def test_board_can_ask_for_a_fresh_snapshot(acme):
    comm = await _board(acme.recruiter)
    await comm.connect()
    await comm.receive_json_from(timeout=3)
    await comm.send_json_to({"type": "snapshot"})
    assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    await comm.disconnect()


async def test_silent_stream_leaves_board_without_beat(acme, settings, embedded_runner):
    """Embedded mode: no Celery beat; the runner's sweep ends the stream by itself."""
    settings.CAMERA_STREAM_TIMEOUT = 1
    await set_status(user=acme.candidate, is_active=True, application=acme.application)
    comm = await _board(acme.recruiter)
    await comm.connect()
    assert len((await comm.receive_json_from(timeout=3))["streams"]) == 1
    # Generous: the receive only has to happen at all, with no beat and no status call.
    ended = await comm.receive_json_from(timeout=settings.CAMERA_STREAM_TIMEOUT + 10)
    assert ended["type"] == "stream.ended"
    assert ended["stream"]["user_id"] == acme.candidate.id
    await comm.disconnect()
