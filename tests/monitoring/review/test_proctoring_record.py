"""Live proctoring is part of the record: the timeline and the report show every message,
warning, hand and the end in order; the candidate's copy holds them; erasure removes them;
the timeline's socket writes to the candidate and hears the conversation."""

import io
import json
import zipfile

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from applications.services import application_terminate
from cameras.models import ProctorMessage
from cameras.proctoring import proctor_hand, proctor_message_send, proctor_reply
from config.asgi import application as asgi_app
from tests.sockets import handshake

pytestmark = pytest.mark.django_db


def _conversation(org):
    proctor_message_send(reviewer=org.recruiter, user_id=org.candidate.id, text="Hello John")
    proctor_reply(candidate=org.candidate, text="Hello, can you hear me?")
    proctor_message_send(
        reviewer=org.recruiter, user_id=org.candidate.id, text="Face in view, please", warning=True
    )
    proctor_hand(candidate=org.candidate, raised=True)
    proctor_message_send(reviewer=org.recruiter, user_id=org.candidate.id, text="Yes?")
    application_terminate(
        actor=org.recruiter, application=org.application, reason="A second person in the room"
    )


def _in_order(html: str, *parts: str) -> None:
    positions = [html.index(part) for part in parts]
    assert positions == sorted(positions), parts


EXPECTED = (
    "Hello John",
    "Hello, can you hear me?",
    "Face in view, please",
    "raised a hand",
    "Yes?",
    "answered the raised hand",
    "Interview ended by a reviewer</strong>: A second person in the room",
)


def test_the_timeline_and_the_report_show_all_of_it_in_order(acme, client_for):
    _conversation(acme)
    client = client_for(acme.recruiter)
    timeline = client.get(f"/console/applications/{acme.application.pk}/").content.decode()
    _in_order(timeline, *EXPECTED)
    report = client.get(f"/console/applications/{acme.application.pk}/report/").content.decode()
    _in_order(report, *EXPECTED)
    assert "ended by a reviewer" in report


def test_the_candidates_copy_holds_the_conversation(acme, client_for):
    _conversation(acme)
    response = client_for(acme.candidate).get(f"/api/applications/{acme.application.pk}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    lines = json.loads(archive.read("messages.json"))
    assert [line["kind"] for line in lines] == [
        "message",
        "message",
        "warning",
        "hand_raised",
        "message",
        "hand_lowered",
        "terminated",
    ]
    assert lines[1]["side"] == "candidate" and lines[-1]["text"] == "A second person in the room"
    assert "messages.json" in archive.read("README.txt").decode()


def test_erasing_the_record_erases_the_conversation(acme, globex, client_for):
    _conversation(acme)
    proctor_reply(candidate=globex.candidate, text="kept")
    response = client_for(acme.recruiter).post(f"/api/applications/{acme.application.pk}/erase/")
    assert response.status_code == 200, response.json()
    assert list(ProctorMessage.objects.values_list("text", flat=True)) == ["kept"]


@pytest.mark.django_db(transaction=True)
async def test_the_timeline_socket_writes_to_the_candidate_and_hears_the_reply(acme, globex):
    @database_sync_to_async
    def cookie(user):
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    async def socket(path, user):
        comm = WebsocketCommunicator(asgi_app, path, headers=handshake(cookie=await cookie(user)))
        assert (await comm.connect())[0]
        return comm

    path = f"/ws/monitoring/timeline/{acme.application.pk}/"
    timeline = await socket(path, acme.recruiter)
    assert (await timeline.receive_json_from(timeout=3))["type"] == "ready"
    page = await socket("/ws/camera/presence/", acme.candidate)
    await timeline.send_json_to({"type": "message.send", "text": "From the timeline"})
    got = await page.receive_json_from(timeout=3)
    assert (got["type"], got["text"], got["application_id"]) == (
        "message",
        "From the timeline",
        acme.application.pk,
    )
    assert (await timeline.receive_json_from(timeout=3))["id"] == got["id"]
    await page.send_json_to({"type": "message.send", "text": "Got it"})
    assert (await timeline.receive_json_from(timeout=3))["text"] == "Got it"
    await timeline.send_json_to({"type": "message.send", "text": "x" * 1001})
    assert (await timeline.receive_json_from(timeout=3))["code"] == "too_long"
    # Another organization's recruiter cannot open this interview's timeline socket at all.
    other = WebsocketCommunicator(
        asgi_app, path, headers=handshake(cookie=await cookie(globex.recruiter))
    )
    await other.connect()
    assert (await other.receive_output(timeout=3))["code"] == 4403
    for comm in (timeline, page):
        await comm.disconnect()
