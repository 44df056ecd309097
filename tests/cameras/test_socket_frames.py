"""No frame a client sends breaks a socket: each wrong one gets an `error`, the socket stays
open; foreign origins (scheme, host or port) are refused at the handshake."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests.sockets import handshake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _open(path, user, **headers):
    comm = WebsocketCommunicator(
        application, path, headers=handshake(cookie=await _cookie(user), **headers)
    )
    connected, _ = await comm.connect()
    return comm, connected


BAD_FRAMES = {
    "not json": ("text", "{nope"),
    "a list": ("text", "[1, 2, 3]"),
    "a number": ("text", "42"),
    "no type": ("text", '{"kind": "snapshot"}'),
    "type not a string": ("text", '{"type": 7}'),
    "unknown type": ("text", '{"type": "launch"}'),
    "too deep": ("text", "[" * 5000 + "]" * 5000),
    "too large": ("text", json.dumps({"type": "snapshot", "pad": "x" * 70_000})),
    "binary": ("bytes", b"\x00\x01\x02"),
}


@pytest.mark.parametrize("case", list(BAD_FRAMES))
@pytest.mark.parametrize("path", ["/ws/camera/streams/", "/ws/camera/presence/"])
async def test_a_wrong_frame_gets_an_error_and_the_socket_stays_open(acme, path, case):
    user = acme.recruiter if "streams" in path else acme.candidate
    comm, connected = await _open(path, user)
    assert connected
    if "streams" in path:
        assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    kind, data = BAD_FRAMES[case]
    if kind == "text":
        await comm.send_to(text_data=data)
    else:
        await comm.send_to(bytes_data=data)
    error = await comm.receive_json_from(timeout=3)
    assert error["type"] == "error" and error["code"] in ("invalid", "message_too_large")
    assert error["message"]
    # Still open and still serving.
    if "streams" in path:
        await comm.send_json_to({"type": "snapshot"})
        assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    else:
        await comm.send_json_to({"type": "heartbeat"})
        assert (await comm.receive_json_from(timeout=3))["type"] == "ack"
    await comm.disconnect()


@pytest.mark.parametrize(
    "origin",
    [
        b"http://testserver:9999",  # another port
        b"https://testserver",  # another scheme
        b"http://evil.example.com",  # another host
        b"null",
    ],
)
async def test_a_foreign_origin_is_refused(acme, origin):
    _, connected = await _open("/ws/camera/streams/", acme.recruiter, origin=origin)
    assert not connected


async def test_the_site_with_its_port_and_a_trusted_origin_are_accepted(acme, settings):
    comm, connected = await _open(
        "/ws/camera/streams/",
        acme.recruiter,
        origin=b"http://testserver:8000",
        host=b"testserver:8000",
    )
    assert connected
    await comm.disconnect()
    settings.CSRF_TRUSTED_ORIGINS = ["https://proctor.example.com"]
    comm, connected = await _open(
        "/ws/camera/streams/", acme.recruiter, origin=b"https://proctor.example.com"
    )
    assert connected
    await comm.disconnect()
