"""Sockets follow the user's rights: a change of role, organization or staff status closes
them (as a password change does), and a session that ended, expired or stayed idle beyond
SESSION_IDLE_TIMEOUT cannot keep one working — checked when it opens, before every privileged
message and at least every SOCKET_SESSION_CHECK_SECONDS."""

import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.utils import timezone

from accounts.sessions import LAST_SEEN
from common import sockets
from config.asgi import application
from tests.sockets import handshake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

BOARD = "/ws/camera/streams/"
PRESENCE = "/ws/camera/presence/"
CLOSED = {"type": "websocket.close", "code": 4401}


@database_sync_to_async
def _sign_in(user, *, idle_for: float = 0) -> str:
    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    session = client.session
    session[LAST_SEEN] = int(time.time() - idle_for)
    session.save()
    return key


async def _open(path, cookie) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, path, headers=handshake(cookie=cookie))
    connected, _ = await comm.connect()
    assert connected
    return comm


@database_sync_to_async
def _save(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda o: {"organization": o.other}, id="moved to another organization"),
        pytest.param(lambda o: {"role": "candidate"}, id="made a candidate"),
        pytest.param(lambda o: {"is_staff": True}, id="staff status"),
    ],
)
async def test_a_change_of_rights_closes_the_board(acme, globex, change):
    acme.other = globex.organization
    board = await _open(BOARD, await _sign_in(acme.recruiter))
    assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
    await _save(acme.recruiter, **change(acme))
    assert await board.receive_output(timeout=3) == CLOSED


async def test_an_unrelated_change_keeps_the_board(acme):
    board = await _open(BOARD, await _sign_in(acme.recruiter))
    assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
    await _save(acme.recruiter, first_name="Rita-Maria")
    assert await board.receive_nothing(timeout=0.5)
    await board.disconnect()


async def test_a_socket_opened_with_an_idle_session_is_closed(acme, settings):
    settings.SESSION_IDLE_TIMEOUT = 60
    board = await _open(BOARD, await _sign_in(acme.recruiter, idle_for=120))
    assert await board.receive_output(timeout=3) == CLOSED
    presence = await _open(PRESENCE, await _sign_in(acme.candidate, idle_for=120))
    assert await presence.receive_output(timeout=3) == CLOSED


async def test_a_session_that_expires_closes_the_board_at_its_next_privileged_message(acme):
    cookie = await _sign_in(acme.recruiter)
    board = await _open(BOARD, cookie)
    assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
    await database_sync_to_async(
        lambda: Session.objects.filter(session_key=cookie).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    )()
    await board.send_json_to({"type": "snapshot"})  # would carry freshly signed URLs
    assert await board.receive_output(timeout=3) == CLOSED


async def test_an_idle_session_closes_an_open_socket_within_the_check_interval(acme, settings):
    settings.SOCKET_SESSION_CHECK_SECONDS = 0.2
    settings.SESSION_IDLE_TIMEOUT = 60
    cookie = await _sign_in(acme.recruiter)
    board = await _open(BOARD, cookie)
    assert (await board.receive_json_from(timeout=3))["type"] == "snapshot"
    assert await board.receive_nothing(timeout=0.5)  # checked, still fine

    @database_sync_to_async
    def go_idle():
        session = Session.objects.get(session_key=cookie)
        data = session.get_decoded()
        data[LAST_SEEN] = int(time.time()) - 120
        Session.objects.save(cookie, data, session.expire_date)

    await go_idle()
    assert await board.receive_output(timeout=3) == CLOSED


async def test_opening_a_socket_reads_the_sign_in_once(acme, monkeypatch):
    """The opening checks the user and the session its authentication has just read — not
    read again (it was three reads more for every socket that opens: issue 40's burst) — and
    a page with no message waiting takes no lock to find that out; the check and that read are
    one trip to the sockets' database pool."""
    cookie = await _sign_in(acme.candidate)
    statements = []
    execute = CursorWrapper._execute

    def recording(self, sql, params, *rest):
        statements.append(sql)
        return execute(self, sql, params, *rest)

    monkeypatch.setattr(CursorWrapper, "_execute", recording)
    trips = []  # to the sockets' database pool: each waits its turn there under a burst

    class Counted(sockets.DatabaseSyncToAsync):
        def __init__(self, func, **kwargs):
            trips.append(func)
            super().__init__(func, **kwargs)

    monkeypatch.setattr(sockets, "DatabaseSyncToAsync", Counted)
    presence = await _open(PRESENCE, cookie)
    assert await presence.receive_nothing(timeout=0.5)  # open, nothing to deliver
    monkeypatch.undo()
    assert len(trips) == 2  # the sign-in's lookup; its check with the waiting messages
    assert len([s for s in statements if 'FROM "django_session"' in s]) == 1
    assert len([s for s in statements if 'FROM "accounts_user"' in s]) == 1
    assert not [s for s in statements if s.startswith(("UPDATE", "INSERT")) or "FOR UPDATE" in s]
    await presence.disconnect()


async def test_a_socket_opening_keeps_a_quiet_session_from_going_idle(acme, settings):
    """Opening a socket is a sign of life, as a request is: a session last seen more than a
    minute ago is stamped now (on what the opening read, not a second read)."""
    settings.SESSION_IDLE_TIMEOUT = 600
    cookie = await _sign_in(acme.candidate, idle_for=300)
    presence = await _open(PRESENCE, cookie)
    assert await presence.receive_nothing(timeout=0.5)
    data = await database_sync_to_async(
        lambda: Session.objects.get(session_key=cookie).get_decoded()
    )()
    assert time.time() - data[LAST_SEEN] < 30
    await presence.disconnect()
