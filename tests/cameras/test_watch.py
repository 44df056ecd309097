"""Watch live: the signalling through the real ASGI stack (session auth, routing, the channel
layer). Who may ask, that messages reach exactly the two parties, that a candidate cannot
offer unasked, that closed sockets and finished interviews end the watch and free the slot,
the viewer cap, and the audit entry of each session."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from applications.services import application_transition
from cameras.models import LiveWatch
from cameras.services import camera_stream_set_status
from config.asgi import application as asgi_app
from monitoring.models import AccessEvent
from tests.factories import RecruiterFactory
from tests.sockets import handshake

pytestmark = pytest.mark.django_db(transaction=True)  # asyncio_mode = auto

BOARD = "/ws/camera/streams/"
PRESENCE = "/ws/camera/presence/"
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _socket(path, user) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(asgi_app, path, headers=handshake(cookie=await _cookie(user)))
    assert (await comm.connect())[0]
    return comm


async def _candidate_page(org) -> WebsocketCommunicator:
    """The candidate's camera is on and their presence socket registered for the interview."""
    await database_sync_to_async(camera_stream_set_status)(
        user=org.candidate, is_active=True, application=org.application
    )
    page = await _socket(PRESENCE, org.candidate)
    await page.send_json_to({"type": "heartbeat", "application_id": org.application.id})
    assert (await page.receive_json_from(timeout=3))["type"] == "ack"
    await asyncio.sleep(0.1)  # the registration is written after the ack
    return page


async def _board(user) -> WebsocketCommunicator:
    board = await _socket(BOARD, user)
    assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
    return board


async def _watch(board, page, org) -> str:
    await board.send_json_to({"type": "watch.request", "user_id": org.candidate.id})
    asked = await page.receive_json_from(timeout=3)
    acked = await board.receive_json_from(timeout=3)
    assert asked["type"] == acked["type"] == "watch.request"
    assert asked["watch_id"] == acked["watch_id"]
    assert asked["viewer_name"] == "Rita Reyes" and acked["user_id"] == org.candidate.id
    assert asked["ice_servers"] == []
    return asked["watch_id"]


async def _silent(*comms) -> None:
    for comm in comms:
        assert await comm.receive_nothing(timeout=0.3)


async def test_offer_answer_and_ice_reach_exactly_the_two_parties(acme):
    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    colleague = await _board(
        await database_sync_to_async(RecruiterFactory)(organization=acme.organization)
    )
    watch_id = await _watch(board, page, acme)

    await page.send_json_to({"type": "watch.offer", "watch_id": watch_id, "sdp": SDP, "x": 1})
    assert await board.receive_json_from(timeout=3) == {
        "type": "watch.offer",
        "watch_id": watch_id,
        "sdp": SDP,
    }  # only what the message type carries is passed on
    await board.send_json_to({"type": "watch.answer", "watch_id": watch_id, "sdp": SDP})
    assert (await page.receive_json_from(timeout=3))["type"] == "watch.answer"
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
    await page.send_json_to({"type": "watch.ice", "watch_id": watch_id, "candidate": candidate})
    assert (await board.receive_json_from(timeout=3))["candidate"] == candidate
    await board.send_json_to({"type": "watch.ice", "watch_id": watch_id, "candidate": None})
    assert (await page.receive_json_from(timeout=3))["candidate"] is None
    await _silent(colleague)
    for comm in (page, board, colleague):
        await comm.disconnect()


async def test_a_recruiter_cannot_watch_another_organizations_candidate(acme, globex):
    page = await _candidate_page(acme)
    board = await _board(globex.recruiter)
    await board.send_json_to({"type": "watch.request", "user_id": acme.candidate.id})
    error = await board.receive_json_from(timeout=3)
    assert (error["type"], error["code"]) == ("watch.error", "not_visible")
    await _silent(page)
    assert not await database_sync_to_async(LiveWatch.objects.exists)()
    await page.disconnect()
    await board.disconnect()


async def test_nothing_is_relayed_for_a_watch_that_is_not_yours(acme):
    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    # A candidate's page cannot push an offer nobody asked for.
    fake = "00000000-0000-0000-0000-000000000000"
    await page.send_json_to({"type": "watch.offer", "watch_id": fake, "sdp": SDP})
    assert (await page.receive_json_from(timeout=3))["code"] == "invalid"
    watch_id = await _watch(board, page, acme)
    # A board cannot send what only a candidate sends, nor use another board's watch.
    await board.send_json_to({"type": "watch.offer", "watch_id": watch_id, "sdp": SDP})
    assert (await board.receive_json_from(timeout=3))["code"] == "invalid"
    other = await _board(
        await database_sync_to_async(RecruiterFactory)(organization=acme.organization)
    )
    await other.send_json_to({"type": "watch.answer", "watch_id": watch_id, "sdp": SDP})
    assert (await other.receive_json_from(timeout=3))["code"] == "invalid"
    for bad in (
        {"type": "watch.request", "user_id": "1"},
        {"type": "watch.request"},
        {"type": "watch.request", "user_id": 10**30},  # beyond any database integer
        {"type": "watch.answer", "watch_id": "not-a-uuid", "sdp": SDP},
        {"type": "watch.ice", "watch_id": watch_id, "candidate": "x" * 5000},
    ):
        await board.send_json_to(bad)
        assert (await board.receive_json_from(timeout=3))["code"] == "invalid"
    await _silent(page)
    for comm in (page, board, other):
        await comm.disconnect()


async def test_a_closed_socket_ends_the_watch_and_frees_the_slot(acme, settings):
    settings.LIVE_VIEWERS_MAX = 1
    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    watch_id = await _watch(board, page, acme)
    colleague = await _board(
        await database_sync_to_async(RecruiterFactory)(
            organization=acme.organization, first_name="Cole", last_name="Lee"
        )
    )
    await colleague.send_json_to({"type": "watch.request", "user_id": acme.candidate.id})
    full = await colleague.receive_json_from(timeout=3)
    assert (full["type"], full["code"]) == ("watch.error", "too_many_viewers")

    await board.disconnect()
    ended = await page.receive_json_from(timeout=3)
    assert ended == {"type": "watch.end", "watch_id": watch_id, "reason": "socket_closed"}
    await colleague.send_json_to({"type": "watch.request", "user_id": acme.candidate.id})
    assert (await page.receive_json_from(timeout=3))["viewer_name"] == "Cole Lee"
    audit = await database_sync_to_async(
        lambda: list(
            AccessEvent.objects.filter(action="watched_live").values_list("detail", flat=True)
        )
    )()
    assert len(audit) == 1 and audit[0].startswith(
        f"watched candidate #{acme.candidate.id} live from "
    )
    await page.disconnect()
    await colleague.disconnect()


async def test_finishing_the_interview_ends_every_watch(acme):
    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    await database_sync_to_async(
        lambda: acme.application.__class__.objects.filter(pk=acme.application.pk).update(
            status="in_progress"
        )
    )()
    watch_id = await _watch(board, page, acme)
    application = await database_sync_to_async(
        lambda: acme.application.__class__.objects.get(pk=acme.application.pk)
    )()
    await database_sync_to_async(application_transition)(
        actor=acme.candidate, application=application, to="completed"
    )
    for comm in (page, board):
        message = await comm.receive_json_from(timeout=3)
        while message["type"] != "watch.end":  # the board also hears the camera go off
            message = await comm.receive_json_from(timeout=3)
        assert message["watch_id"] == watch_id and message["reason"] == "interview_ended"
    watch = await database_sync_to_async(LiveWatch.objects.get)()
    assert watch.ended_at is not None and watch.end_reason == "interview_ended"
    await page.disconnect()
    await board.disconnect()


# --- Consent to the current notice; TURN credentials that expire ------------------------------


async def test_a_candidate_whose_consent_predates_the_notice_cannot_be_watched(acme):
    from applications.models import MonitoringConsent

    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    await database_sync_to_async(
        lambda: MonitoringConsent.objects.filter(application=acme.application).update(
            notice_version="2026-11"  # the notice before live watching
        )
    )()
    await board.send_json_to({"type": "watch.request", "user_id": acme.candidate.id})
    refused = await board.receive_json_from(timeout=3)
    assert refused["type"] == "watch.error" and refused["code"] == "consent_outdated"
    assert await page.receive_nothing(timeout=0.3)  # the candidate's page is not asked
    assert not await database_sync_to_async(LiveWatch.objects.exists)()
    await page.disconnect()
    await board.disconnect()


async def test_each_watch_gets_turn_credentials_that_expire_with_it(acme, settings):
    import base64
    import hashlib
    import hmac

    settings.WEBRTC_TURN_SECRET = "coturn-static-auth-secret"
    settings.LIVE_WATCH_MAX_SECONDS = 1800
    settings.WEBRTC_ICE_SERVERS = [
        {"urls": "stun:stun.example.com:3478"},
        {"urls": ["turn:turn.example.com:3478"], "username": "static", "credential": "static"},
    ]
    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    await board.send_json_to({"type": "watch.request", "user_id": acme.candidate.id})
    asked = await page.receive_json_from(timeout=3)
    stun, turn = asked["ice_servers"]
    assert stun == {"urls": "stun:stun.example.com:3478"}
    watch = await database_sync_to_async(LiveWatch.objects.get)()
    expiry, watch_id = turn["username"].split(":")
    assert watch_id == str(watch.watch_id)
    assert int(expiry) == int(watch.started_at.timestamp()) + 1800 + 60  # the watch + a minute
    # What coturn computes to check it (use-auth-secret): the static password is never sent.
    expected = hmac.new(b"coturn-static-auth-secret", turn["username"].encode(), hashlib.sha1)
    assert turn["credential"] == base64.b64encode(expected.digest()).decode() != "static"
    await page.disconnect()
    await board.disconnect()


async def test_a_watch_ends_at_its_time_limit(acme, settings):
    from datetime import timedelta

    from django.utils import timezone

    from cameras.services import camera_streams_end_stale

    page = await _candidate_page(acme)
    board = await _board(acme.recruiter)
    watch_id = await _watch(board, page, acme)
    settings.LIVE_WATCH_MAX_SECONDS = 60
    await database_sync_to_async(camera_streams_end_stale)(
        now=timezone.now() + timedelta(seconds=61)
    )
    for comm in (page, board):
        message = await comm.receive_json_from(timeout=3)
        while message["type"] != "watch.end":
            message = await comm.receive_json_from(timeout=3)
        assert message["watch_id"] == watch_id and message["reason"] == "time_limit"
    await page.disconnect()
    await board.disconnect()
