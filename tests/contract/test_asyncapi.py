"""The sockets' contract: /api/asyncapi/ is a valid AsyncAPI 3.0 document, built from the
catalogue the consumers dispatch by (cameras.messages), and every frame both sockets send in
a whole session — snapshot, stream changes, a live watch from request to end, refusals, a
stale heartbeat — is one the document describes, field for field.

asyncapi-3.0.0.schema.json is the AsyncAPI Initiative's JSON Schema of the specification
(npm @asyncapi/specs 6.11.1, schemas/3.0.0-without-$id.json, stored compact; Apache-2.0, its
licence beside it).
"""

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from cameras import consumers, messages
from cameras.services import camera_stream_set_status
from config.asgi import application as asgi_app
from config.asyncapi import asyncapi_document
from monitoring.consumers import TimelineConsumer
from monitoring.messages import TIMELINE
from tests.factories import MonitoringConsentFactory
from tests.sockets import handshake

SPEC = Path(__file__).with_name("asyncapi-3.0.0.schema.json")
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"


def test_the_document_is_valid_asyncapi_3(acme, client_for):
    response = client_for(acme.recruiter).get("/api/asyncapi/")
    assert response.status_code == 200
    document = response.json()
    validator = jsonschema.Draft7Validator(json.loads(SPEC.read_text()))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    assert {c["address"] for c in document["channels"].values()} == {
        "/ws/camera/streams/",
        "/ws/camera/presence/",
        "/ws/monitoring/timeline/{application_id}/",
    }
    assert document["servers"]["site"] == {
        **document["servers"]["site"],
        "host": "testserver",
        "protocol": "ws",
    }


def test_the_document_is_also_yaml_and_needs_a_sign_in(acme, client_for, client):
    response = client_for(acme.recruiter).get("/api/asyncapi/?format=yaml")
    assert response.status_code == 200
    assert response.content.startswith(b"asyncapi: 3.0.0")
    refused = client.get("/api/asyncapi/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_every_message_a_client_may_send_has_its_handler():
    for socket, consumer in (
        (messages.BOARD, consumers.LiveBoardConsumer),
        (messages.PRESENCE, consumers.PresenceConsumer),
        (TIMELINE, TimelineConsumer),
    ):
        assert consumer.socket is socket
        for message in socket.receives:
            assert callable(getattr(consumer, message.handler, None)), (socket.name, message)


# --- Every frame, held to the document -------------------------------------------------------


class Documented:
    """The document's payload schemas by (socket, direction, type)."""

    def __init__(self):
        document = asyncapi_document(host="testserver", secure=False)
        self.payloads = {}
        for key, message in document["components"]["messages"].items():
            socket, direction, kind = key.split(".", 2)
            self.payloads[(socket, direction, kind)] = message["payload"]
        self.seen: set[tuple[str, str, str]] = set()

    def check(self, socket: str, direction: str, frame: dict) -> dict:
        key = (socket, direction, frame.get("type"))
        assert key in self.payloads, f"undocumented {direction} message on {socket}: {frame}"
        schema = self.payloads[key]
        jsonschema.Draft7Validator(schema).validate(frame)
        for name, value in frame.items():  # listed values (codes, reasons) are the listed ones
            listed = schema["properties"].get(name, {}).get("x-extensible-enum")
            assert listed is None or value in listed, (key, name, value, listed)
        self.seen.add(key)
        return frame


class Side:
    """One socket of the session: what it sends and receives is checked as it passes."""

    def __init__(self, comm: WebsocketCommunicator, socket: str, documented: Documented):
        self.comm, self.socket, self.documented = comm, socket, documented

    async def send(self, frame: dict) -> None:
        self.documented.check(self.socket, "in", frame)
        await self.comm.send_json_to(frame)

    async def send_raw(self, frame: dict) -> None:
        """A frame the socket does not take (checked only in what it answers)."""
        await self.comm.send_json_to(frame)

    async def receive(self, expected_type: str | None = None) -> dict:
        frame = self.documented.check(
            self.socket, "out", await self.comm.receive_json_from(timeout=5)
        )
        assert expected_type is None or frame["type"] == expected_type, frame
        return frame


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _open(path: str, user, socket: str, documented: Documented) -> Side:
    comm = WebsocketCommunicator(asgi_app, path, headers=handshake(cookie=await _cookie(user)))
    assert (await comm.connect())[0]
    return Side(comm, socket, documented)


def _camera(org, on: bool):
    return database_sync_to_async(camera_stream_set_status)(
        user=org.candidate, is_active=on, application=org.application
    )


@pytest.mark.django_db(transaction=True)
async def test_every_frame_of_a_session_is_documented(acme, settings):
    settings.CAMERA_HEARTBEAT_FLUSH_SECONDS = 0.2
    await database_sync_to_async(MonitoringConsentFactory)(application=acme.application)
    documented = Documented()
    application_id = acme.application.id

    await _camera(acme, True)
    page = await _open("/ws/camera/presence/", acme.candidate, "presence", documented)
    await page.send({"type": "heartbeat", "application_id": application_id})
    await page.receive("ack")
    await asyncio.sleep(0.3)  # the page is registered for watch requests after the ack
    board = await _open("/ws/camera/streams/", acme.recruiter, "board", documented)
    snapshot = await board.receive("snapshot")
    assert [s["user_id"] for s in snapshot["streams"]] == [acme.candidate.id]
    await board.send({"type": "snapshot"})
    await board.receive("snapshot")

    # A live watch, from the request to its end.
    await board.send({"type": "watch.request", "user_id": acme.candidate.id})
    watch_id = (await page.receive("watch.request"))["watch_id"]
    assert (await board.receive("watch.request"))["watch_id"] == watch_id
    await page.send({"type": "watch.offer", "watch_id": watch_id, "sdp": SDP})
    await board.receive("watch.offer")
    await board.send({"type": "watch.answer", "watch_id": watch_id, "sdp": SDP})
    await page.receive("watch.answer")
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
    await page.send({"type": "watch.ice", "watch_id": watch_id, "candidate": candidate})
    await board.receive("watch.ice")
    await board.send({"type": "watch.ice", "watch_id": watch_id, "candidate": None})
    await page.receive("watch.ice")
    await board.send({"type": "watch.end", "watch_id": watch_id})
    assert (await page.receive("watch.end"))["reason"] == "viewer"
    await board.send({"type": "watch.request", "user_id": acme.candidate.id})
    second = (await page.receive("watch.request"))["watch_id"]
    await board.receive("watch.request")
    await page.send({"type": "watch.end", "watch_id": second})
    assert (await board.receive("watch.end"))["reason"] == "candidate"

    # Refusals: a watch nobody may have, a type the socket does not take, not JSON.
    await board.send({"type": "watch.request", "user_id": 10**9})
    assert (await board.receive("watch.error"))["code"] == "not_visible"
    await page.send_raw({"type": "watch.answer", "watch_id": watch_id, "sdp": SDP})
    assert (await page.receive("watch.error"))["code"] == "invalid"
    await board.send_raw({"type": "heartbeat"})
    assert (await board.receive("error"))["code"] == "invalid"
    await page.send_raw({"type": "snapshot"})
    assert (await page.receive("error"))["code"] == "invalid"
    await board.comm.send_to(text_data="not json")
    assert (await board.receive("error"))["code"] == "invalid"

    # The camera goes off, the page's next heartbeat is stale; on again.
    await _camera(acme, False)
    assert (await board.receive("stream.ended"))["stream"]["is_active"] is False
    await page.send({"type": "heartbeat", "application_id": application_id})
    await page.receive("ack")
    await page.receive("stale")
    await _camera(acme, True)
    assert (await board.receive("stream.started"))["stream"]["user_id"] == acme.candidate.id

    # Live proctoring: messages both ways, a warning, a hand raised and answered, refusals,
    # the timeline's message, and the end of the interview.
    timeline = await _open(
        f"/ws/monitoring/timeline/{application_id}/", acme.recruiter, "timeline", documented
    )
    await timeline.receive("ready")
    await board.send({"type": "message.send", "user_id": acme.candidate.id, "text": "Hello"})
    await page.receive("message")
    await board.receive("message")
    await timeline.receive("message")
    await page.send({"type": "message.send", "text": "Hi"})
    await board.receive("message")
    await page.receive("message")
    await timeline.receive("message")
    await page.send({"type": "hand.raise"})
    for side in (board, page, timeline):
        await side.receive("hand.raised")
    await timeline.send({"type": "message.send", "text": "Eyes up, please", "warning": True})
    for side in (board, page, timeline):
        assert (await side.receive("message"))["warning"] is True
        assert (await side.receive("hand.lowered"))["by"] == "reviewer"
    await page.send({"type": "hand.raise"})
    for side in (board, page, timeline):
        await side.receive("hand.raised")
    await page.send({"type": "hand.lower"})
    for side in (board, page, timeline):
        await side.receive("hand.lowered")
    await board.send({"type": "message.send", "user_id": 10**9, "text": "x"})
    assert (await board.receive("error"))["code"] == "not_visible"
    await board.send({"type": "message.send", "user_id": acme.candidate.id, "text": "x" * 1001})
    assert (await board.receive("error"))["code"] == "too_long"
    await page.send({"type": "message.send", "text": ""})
    assert (await page.receive("error"))["code"] == "invalid"

    @database_sync_to_async
    def terminate():
        from applications.services import application_terminate

        application_terminate(actor=acme.recruiter, application=acme.application, reason="Done")

    await terminate()
    assert (await page.receive("interview.terminated"))["reason"] == "Done"
    for _ in range(6):  # among its record's hints (each checked against the document)
        if (await timeline.receive())["type"] == "interview.terminated":
            break
    else:
        raise AssertionError("the timeline did not hear the end")
    frames = [await board.receive() for _ in range(2)]
    assert {f["type"] for f in frames} == {"stream.ended", "interview.terminated"}

    for side in (page, board, timeline):
        await side.comm.disconnect()
    sent_by_server = {key for key in documented.seen if key[1] == "out"}
    assert len(sent_by_server) >= 22, sorted(sent_by_server)
