"""A socket's messages never queue behind the process's one thread-sensitive thread.

Outside a request, asgiref runs every thread-sensitive call of a process on ONE thread;
Channels' `database_sync_to_async` is thread-sensitive and its dispatch hops onto that thread
before every message. Under load that thread was the queue every heartbeat ack and board push
waited in (issue 40). Here the thread is held busy on purpose: acks, board pushes and a
snapshot (which reads the database) still arrive, and a new socket opens.
"""

import threading

import pytest
from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from cameras.services import camera_stream_set_status
from config.asgi import application as asgi_app
from tests.sockets import handshake

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _socket(path, user=None, *, cookie=None) -> WebsocketCommunicator:
    cookie = cookie or await _cookie(user)
    comm = WebsocketCommunicator(asgi_app, path, headers=handshake(cookie=cookie))
    assert (await comm.connect(timeout=3))[0]
    return comm


async def test_sockets_do_not_wait_for_the_thread_sensitive_thread(acme, settings):
    settings.CAMERA_HEARTBEAT_FLUSH_SECONDS = 0.1
    settings.CAMERA_BOARD_COALESCE_SECONDS = 0
    await database_sync_to_async(camera_stream_set_status)(
        user=acme.candidate, is_active=True, application=acme.application
    )
    board = await _socket("/ws/camera/streams/", acme.recruiter)
    assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
    presence = await _socket("/ws/camera/presence/", acme.candidate)
    second_board = await _cookie(acme.recruiter)

    gate = threading.Event()
    SyncToAsync.single_thread_executor.submit(gate.wait, 30)  # the shared thread is busy
    try:
        await presence.send_json_to({"type": "heartbeat", "application_id": acme.application.id})
        assert (await presence.receive_json_from(timeout=3))["type"] == "ack"
        updated = await board.receive_json_from(timeout=3)
        assert updated["type"] == "stream.updated"
        await board.send_json_to({"type": "snapshot"})  # checks the sign-in in the database
        assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
        # A socket opens too: its session and user are looked up on the sockets' pool.
        other = await _socket("/ws/camera/streams/", cookie=second_board)
        assert (await other.receive_json_from(timeout=3))["type"] == "snapshot"
        await other.disconnect()
    finally:
        gate.set()
    await presence.disconnect()
    await board.disconnect()
