"""Live proctoring through the real ASGI stack: messages both ways, warnings, a raised hand,
delivery to a page that was closed, the board's scope (another organization hears nothing and
may send nothing), the refusals of the catalogue, and what is stored and audited."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from cameras.models import ProctorMessage, WarningTemplate
from cameras.services import camera_stream_set_status
from config.asgi import application as asgi_app
from monitoring.models import AccessEvent
from tests.factories import RecruiterFactory
from tests.sockets import handshake

pytestmark = pytest.mark.django_db(transaction=True)

BOARD = "/ws/camera/streams/"
PRESENCE = "/ws/camera/presence/"


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _socket(path, user) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(asgi_app, path, headers=handshake(cookie=await _cookie(user)))
    assert (await comm.connect())[0]
    return comm


async def _board(user) -> tuple[WebsocketCommunicator, dict]:
    board = await _socket(BOARD, user)
    snapshot = await board.receive_json_from(timeout=3)
    assert snapshot["type"] == "snapshot"
    return board, snapshot


async def _admin_heard(admin) -> dict:
    """The next frame on an admin's board that is not a camera card: the admin group hears
    every organization, and a card of an earlier test's stream may still be on its way
    (organization groups are new in every test; the admin group is not)."""
    while True:
        frame = await admin.receive_json_from(timeout=3)
        if not frame["type"].startswith("stream."):
            return frame


async def _silent(*comms) -> None:
    for comm in comms:
        assert await comm.receive_nothing(timeout=0.3)


@database_sync_to_async
def _rows(**filters) -> list[ProctorMessage]:
    return list(ProctorMessage.objects.filter(**filters).order_by("id"))


@database_sync_to_async
def _audit(action) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action=action))


async def test_a_reviewer_writes_the_candidate_and_every_board_in_scope_hears_it(
    acme, globex, admin_user
):
    page = await _socket(PRESENCE, acme.candidate)
    board, _ = await _board(acme.recruiter)
    admin, _ = await _board(admin_user)
    other, _ = await _board(globex.recruiter)

    await board.send_json_to({"type": "message.send", "user_id": acme.candidate.id, "text": " Hi "})
    got = await page.receive_json_from(timeout=3)
    assert got["type"] == "message" and got["text"] == "Hi" and got["warning"] is False
    assert got["from"] == {"side": "reviewer", "name": "Rita Reyes"}
    assert got["user_id"] == acme.candidate.id and got["application_id"] == acme.application.id
    assert (await board.receive_json_from(timeout=3))["id"] == got["id"]  # its own, with the id
    assert (await _admin_heard(admin))["id"] == got["id"]
    await _silent(other)

    await asyncio.sleep(0.2)
    [row] = await _rows()
    assert (row.sender_id, row.side, row.kind) == (acme.recruiter.id, "reviewer", "message")
    assert row.sent_at is not None and row.delivered_at is not None  # the page received it
    [entry] = await _audit(AccessEvent.Action.MESSAGE_SENT)
    assert entry.actor_id == acme.recruiter.id and entry.application_id == acme.application.id
    for comm in (page, board, admin, other):
        await comm.disconnect()


async def test_the_candidate_replies_to_the_boards_of_their_organization_only(acme, globex):
    page = await _socket(PRESENCE, acme.candidate)
    board, _ = await _board(acme.recruiter)
    other, _ = await _board(globex.recruiter)

    await page.send_json_to({"type": "message.send", "text": "I cannot hear you"})
    got = await board.receive_json_from(timeout=3)
    assert (got["type"], got["text"], got["from"]["side"]) == (
        "message",
        "I cannot hear you",
        "candidate",
    )
    assert got["from"]["name"] == "John Carter"
    assert (await page.receive_json_from(timeout=3))["id"] == got["id"]  # echoed with its id
    await _silent(other)
    await asyncio.sleep(0.2)
    [row] = await _rows()
    assert row.side == "candidate" and row.delivered_at is not None  # a board received it
    for comm in (page, board, other):
        await comm.disconnect()


async def test_a_message_to_a_closed_page_is_delivered_when_a_page_connects(acme):
    board, _ = await _board(acme.recruiter)
    await board.send_json_to({"type": "message.send", "user_id": acme.candidate.id, "text": "one"})
    await board.send_json_to(
        {"type": "message.send", "user_id": acme.candidate.id, "text": "two", "warning": True}
    )
    await board.receive_json_from(timeout=3)
    await board.receive_json_from(timeout=3)
    assert all(row.delivered_at is None for row in await _rows())

    page = await _socket(PRESENCE, acme.candidate)
    first = await page.receive_json_from(timeout=3)
    second = await page.receive_json_from(timeout=3)
    assert [first["text"], second["text"]] == ["one", "two"]
    assert second["warning"] is True
    assert all(row.delivered_at is not None for row in await _rows())
    await page.disconnect()
    again = await _socket(PRESENCE, acme.candidate)  # delivered once, not on every connect
    await _silent(again)
    for comm in (again, board):
        await comm.disconnect()


async def test_another_organization_can_neither_write_nor_reach_the_candidate(acme, globex):
    page = await _socket(PRESENCE, acme.candidate)
    other, _ = await _board(globex.recruiter)
    await other.send_json_to({"type": "message.send", "user_id": acme.candidate.id, "text": "x"})
    refused = await other.receive_json_from(timeout=3)
    assert (refused["type"], refused["code"], refused["refused"]) == (
        "error",
        "not_visible",
        "message.send",
    )
    await _silent(page)
    assert await _rows() == []
    for comm in (page, other):
        await comm.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"text": "x" * 1001}, "too_long"),
        ({"text": "   "}, "invalid"),
        ({"text": 5}, "invalid"),
        ({"text": "hi", "user_id": "1"}, "invalid"),
        ({"text": "hi", "user_id": True}, "invalid"),
        ({"text": "hi", "warning": "yes"}, "invalid"),
    ],
)
async def test_board_refusals_store_nothing(acme, message, code):
    board, _ = await _board(acme.recruiter)
    await board.send_json_to({"type": "message.send", "user_id": acme.candidate.id, **message})
    refused = await board.receive_json_from(timeout=3)
    assert (refused["type"], refused["code"]) == ("error", code)
    assert await _rows() == []
    await board.disconnect()


async def test_the_candidate_cannot_write_without_an_interview_under_way(acme):
    acme.application.status = "completed"
    await database_sync_to_async(acme.application.save)()
    page = await _socket(PRESENCE, acme.candidate)
    await page.send_json_to({"type": "message.send", "text": "hello"})
    assert (await page.receive_json_from(timeout=3))["code"] == "not_visible"
    await page.send_json_to({"type": "hand.raise"})
    assert (await page.receive_json_from(timeout=3))["code"] == "not_visible"
    await page.send_json_to({"type": "message.send", "text": "x" * 1001})
    assert (await page.receive_json_from(timeout=3))["code"] == "too_long"
    await page.disconnect()


async def test_messages_are_rate_limited_per_socket(acme, limits_on):
    limits_on.RATE_LIMIT_SOCKET_MESSAGE = "2 per 60 seconds"
    board, _ = await _board(acme.recruiter)
    for _ in range(2):
        await board.send_json_to(
            {"type": "message.send", "user_id": acme.candidate.id, "text": "a"}
        )
        assert (await board.receive_json_from(timeout=3))["type"] == "message"
    await board.send_json_to({"type": "message.send", "user_id": acme.candidate.id, "text": "a"})
    refused = await board.receive_json_from(timeout=3)
    assert (refused["code"], refused["retry_after"] > 0) == ("rate_limited", True)
    assert len(await _rows()) == 2
    await board.disconnect()


async def test_a_raised_hand_shows_on_every_board_until_a_reviewer_answers(acme, globex):
    await database_sync_to_async(camera_stream_set_status)(
        user=acme.candidate, is_active=True, application=acme.application
    )
    page = await _socket(PRESENCE, acme.candidate)
    board, _ = await _board(acme.recruiter)
    other, _ = await _board(globex.recruiter)

    await page.send_json_to({"type": "hand.raise"})
    raised = await board.receive_json_from(timeout=3)
    assert (raised["type"], raised["user_id"], raised["by"]) == (
        "hand.raised",
        acme.candidate.id,
        "candidate",
    )
    assert (await page.receive_json_from(timeout=3))["type"] == "hand.raised"
    await page.send_json_to({"type": "hand.raise"})  # already up: nothing new
    await _silent(board, other)

    later, snapshot = await _board(acme.recruiter)  # a board opened now shows it too
    assert snapshot["streams"][0]["hand_raised_at"] == raised["at"]
    assert snapshot["warnings"][0] == "Please keep your face in view of the camera."

    await board.send_json_to({"type": "message.send", "user_id": acme.candidate.id, "text": "Yes?"})
    assert (await board.receive_json_from(timeout=3))["type"] == "message"
    lowered = await board.receive_json_from(timeout=3)
    assert (lowered["type"], lowered["by"], lowered["by_name"]) == (
        "hand.lowered",
        "reviewer",
        "Rita Reyes",
    )
    assert [(await page.receive_json_from(timeout=3))["type"] for _ in range(2)] == [
        "message",
        "hand.lowered",
    ]
    _, snapshot = await _board(acme.recruiter)
    assert snapshot["streams"][0]["hand_raised_at"] is None
    await _silent(other)
    kinds = [row.kind for row in await _rows()]
    assert kinds == ["hand_raised", "message", "hand_lowered"]
    assert len(await _audit(AccessEvent.Action.HAND_RAISED)) == 1
    for comm in (page, board, other, later):
        await comm.disconnect()


async def test_the_candidate_lowers_their_own_hand(acme):
    page = await _socket(PRESENCE, acme.candidate)
    board, _ = await _board(acme.recruiter)
    await page.send_json_to({"type": "hand.raise"})
    assert (await board.receive_json_from(timeout=3))["type"] == "hand.raised"
    await page.send_json_to({"type": "hand.lower"})
    lowered = await board.receive_json_from(timeout=3)
    assert (lowered["type"], lowered["by"]) == ("hand.lowered", "candidate")
    for comm in (page, board):
        await comm.disconnect()


async def test_a_warning_is_a_marked_message_and_audited_as_one(acme):
    await database_sync_to_async(WarningTemplate.objects.create)(
        organization=acme.organization, text="Eyes on the screen, please."
    )
    page = await _socket(PRESENCE, acme.candidate)
    board, snapshot = await _board(acme.recruiter)
    assert snapshot["warnings"] == ["Eyes on the screen, please."]
    await board.send_json_to(
        {
            "type": "message.send",
            "user_id": acme.candidate.id,
            "text": snapshot["warnings"][0],
            "warning": True,
        }
    )
    got = await page.receive_json_from(timeout=3)
    assert got["warning"] is True and got["text"] == "Eyes on the screen, please."
    await asyncio.sleep(0.2)
    [row] = await _rows()
    assert row.kind == "warning"
    assert len(await _audit(AccessEvent.Action.WARNING_SENT)) == 1
    for comm in (page, board):
        await comm.disconnect()


async def test_a_colleague_of_the_same_organization_sees_the_conversation(acme):
    colleague = await database_sync_to_async(RecruiterFactory)(organization=acme.organization)
    board, _ = await _board(acme.recruiter)
    theirs, _ = await _board(colleague)
    await board.send_json_to({"type": "message.send", "user_id": acme.candidate.id, "text": "hi"})
    assert (await theirs.receive_json_from(timeout=3))["from"]["name"] == "Rita Reyes"
    for comm in (board, theirs):
        await comm.disconnect()


@pytest.mark.parametrize("application_id", ["7", True, 0, 2**63, -1])
async def test_a_page_naming_an_odd_interview_is_refused(acme, application_id):
    page = await _socket(PRESENCE, acme.candidate)
    await page.send_json_to(
        {"type": "message.send", "text": "hi", "application_id": application_id}
    )
    assert (await page.receive_json_from(timeout=3))["code"] == "invalid"
    await page.send_json_to({"type": "hand.raise", "application_id": application_id})
    assert (await page.receive_json_from(timeout=3))["code"] == "invalid"
    assert await _rows() == []
    await page.disconnect()


async def test_a_page_naming_someone_elses_interview_is_not_visible(acme, globex):
    page = await _socket(PRESENCE, acme.candidate)
    await page.send_json_to(
        {"type": "message.send", "text": "hi", "application_id": globex.application.id}
    )
    assert (await page.receive_json_from(timeout=3))["code"] == "not_visible"
    assert await _rows() == []
    await page.disconnect()


async def test_a_reviewer_on_the_presence_socket_writes_to_nobody(acme):
    page = await _socket(PRESENCE, acme.recruiter)
    await page.send_json_to({"type": "message.send", "text": "hi"})
    assert (await page.receive_json_from(timeout=3))["code"] == "not_visible"
    await page.disconnect()
