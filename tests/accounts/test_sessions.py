"""Sessions you can end: sign-out, a password change and deactivation each close a real open
socket (and nothing arrives after the close); API tokens expire, are replaced on a password
change and can be revoked; sessions end after SESSION_IDLE_TIMEOUT without a request."""

from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cameras.services import camera_stream_set_status
from config.asgi import application as asgi_app
from tests.factories import MonitoringConsentFactory
from tests.sockets import handshake

CLOSE_NOT_SIGNED_IN = 4401


def _signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def _board(client: Client) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(
        asgi_app,
        "/ws/camera/streams/",
        headers=handshake(cookie=client.cookies["sessionid"].value),
    )
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from(timeout=5))["type"] == "snapshot"
    return comm


async def _closed_then_silent(comm, acme) -> None:
    """The close frame arrives (generous time-out); after it, a board event reaches no one."""
    closed = await comm.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": CLOSE_NOT_SIGNED_IN}

    @database_sync_to_async
    def candidate_goes_live():
        MonitoringConsentFactory(application=acme.application)
        camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)

    await candidate_goes_live()
    assert await comm.receive_nothing(timeout=1)


@pytest.mark.django_db(transaction=True)
async def test_signing_out_closes_that_sessions_sockets(acme):
    rita = await database_sync_to_async(_signed_in_client)(acme.recruiter)
    other_device = await database_sync_to_async(_signed_in_client)(acme.recruiter)
    comm, elsewhere = await _board(rita), await _board(other_device)
    await database_sync_to_async(rita.logout)()
    await _closed_then_silent(comm, acme)
    # Signing out in one browser leaves the user's other sessions open.
    event = await elsewhere.receive_json_from(timeout=5)
    assert event["type"] == "stream.started"
    await elsewhere.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_password_change_closes_every_socket_and_replaces_the_token(acme):
    rita = await database_sync_to_async(_signed_in_client)(acme.recruiter)
    comm = await _board(rita)

    @database_sync_to_async
    def change_password():
        Token.objects.create(user=acme.recruiter)
        acme.recruiter.set_password("a-whole-new-passphrase-99")
        acme.recruiter.save()
        return Token.objects.filter(user=acme.recruiter).exists()

    assert await change_password() is False
    await _closed_then_silent(comm, acme)


@pytest.mark.django_db(transaction=True)
async def test_deactivation_closes_every_socket(acme):
    rita = await database_sync_to_async(_signed_in_client)(acme.recruiter)
    comm = await _board(rita)

    @database_sync_to_async
    def deactivate():
        acme.recruiter.is_active = False
        acme.recruiter.save()

    await deactivate()
    await _closed_then_silent(comm, acme)


@pytest.mark.django_db
def test_tokens_expire_and_a_new_one_is_issued(acme, api_client, password, settings):
    token = api_client.post(
        "/api/auth/token/", {"username": "rita", "password": password}, format="json"
    ).json()
    assert token["expires_at"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token['token']}"}
    assert api_client.get("/api/auth/me/", **auth).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.API_TOKEN_TTL + 60)):
        expired = api_client.get("/api/auth/me/", **auth)
        assert expired.status_code == 401
        assert expired.json()["code"] == "token_expired"
        fresh = api_client.post(
            "/api/auth/token/", {"username": "rita", "password": password}, format="json"
        ).json()
        assert fresh["token"] != token["token"]
        assert (
            api_client.get(
                "/api/auth/me/", HTTP_AUTHORIZATION=f"Token {fresh['token']}"
            ).status_code
            == 200
        )


@pytest.mark.django_db
def test_a_token_can_be_revoked(acme, token_client_for):
    client = token_client_for(acme.recruiter)
    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/auth/me/").status_code == 401
    assert not Token.objects.filter(user=acme.recruiter).exists()


@pytest.mark.django_db
def test_an_old_token_stops_working_after_a_password_change(acme, token_client_for):
    client = token_client_for(acme.recruiter)
    assert client.get("/api/auth/me/").status_code == 200
    acme.recruiter.set_password("another-long-passphrase-7")
    acme.recruiter.save()
    assert client.get("/api/auth/me/").status_code == 401


@pytest.mark.django_db
def test_an_idle_session_ends(acme, client, password, settings):
    client.post("/accounts/login/", {"username": "rita", "password": password})
    assert client.get("/console/").status_code == 200
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60)
    ):
        assert client.get("/console/").status_code == 200  # activity keeps it alive
    later = timezone.now() + timedelta(seconds=2 * settings.SESSION_IDLE_TIMEOUT)
    with time_machine.travel(later):
        response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_remembered_token_needs_no_query_and_is_forgotten_on_change(
    acme, token_client_for, settings
):
    """The embedded mode remembers verified tokens; revocation and user changes still count."""
    settings.API_TOKEN_CACHE_SECONDS = 30
    client = token_client_for(acme.recruiter)
    assert client.get("/api/auth/me/").json()["role"] == "recruiter"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/auth/me/").status_code == 200
    assert not [q for q in queries.captured_queries if "authtoken_token" in q["sql"]]
    acme.recruiter.role = "admin"
    acme.recruiter.save()
    assert client.get("/api/auth/me/").json()["role"] == "admin"
    acme.recruiter.is_active = False
    acme.recruiter.save()
    assert client.get("/api/auth/me/").status_code == 401
