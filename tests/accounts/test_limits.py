"""Each rate limit answers 429 `rate_limited` with a Retry-After header; RATE_LIMIT_ENABLED
switches them all off; two ASGI processes sharing one Redis hold one limit between them."""

import pytest
import requests
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application as asgi_app
from tests.factories import MonitoringConsentFactory
from tests.monitoring.conftest import b64, image_bytes
from tests.processes import asgi_server, child_env
from tests.sockets import handshake

pytestmark = pytest.mark.django_db

JPEG = b64(image_bytes(size=(64, 48)))


def _assert_limited(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["success"] is False and body["code"] == "rate_limited" and body["message"]
    assert int(response["Retry-After"]) >= 1


def test_uploads_allow_a_burst_then_four_times_the_capture_rate(acme, token_client_for, limits_on):
    limits_on.RATE_LIMIT_UPLOAD_BURST = 5
    MonitoringConsentFactory(application=acme.application)
    client = token_client_for(acme.candidate)
    url = f"/api/applications/{acme.application.id}/monitoring-images/"
    for _ in range(5):
        assert (
            client.post(
                url, {"image_type": "camera", "image_data": JPEG}, format="json"
            ).status_code
            == 201
        )
    refused = client.post(url, {"image_type": "camera", "image_data": JPEG}, format="json")
    _assert_limited(refused)
    # 5 per (5 / 4 × 30 s): the window frees within ~38 s.
    assert int(refused["Retry-After"]) <= 38
    # Per type: screen captures have their own window.
    assert (
        client.post(url, {"image_type": "screen", "image_data": JPEG}, format="json").status_code
        == 201
    )
    # Reads are not limited.
    assert client.get(url).status_code == 200


def test_page_events_are_limited_per_application(acme, token_client_for, limits_on):
    limits_on.RATE_LIMIT_EVENTS = "3 per 60 seconds"
    MonitoringConsentFactory(application=acme.application)
    client = token_client_for(acme.candidate)
    url = f"/api/applications/{acme.application.id}/events/"
    for _ in range(3):
        assert client.post(url, {"type": "tab_visible"}, format="json").status_code == 201
    _assert_limited(client.post(url, {"type": "tab_visible"}, format="json"))


def test_token_requests_are_limited_per_address(acme, api_client, password, limits_on):
    limits_on.RATE_LIMIT_TOKEN = "2 per 60 seconds"
    body = {"username": "rita", "password": password}
    assert api_client.post("/api/auth/token/", body, format="json").status_code == 200
    assert api_client.post("/api/auth/token/", body, format="json").status_code == 200
    _assert_limited(api_client.post("/api/auth/token/", body, format="json"))
    other = api_client.post("/api/auth/token/", body, format="json", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200  # another address has its own window


def test_switched_off_nothing_is_limited(acme, api_client, password, settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.RATE_LIMIT_TOKEN = "1 per 60 seconds"
    body = {"username": "rita", "password": password}
    for _ in range(5):
        assert api_client.post("/api/auth/token/", body, format="json").status_code == 200


@database_sync_to_async
def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.django_db(transaction=True)
async def test_socket_messages_are_limited_per_connection_and_type(acme, limits_on):
    limits_on.RATE_LIMIT_SOCKET_SNAPSHOT = "2 per 60 seconds"
    comm = WebsocketCommunicator(
        asgi_app, "/ws/camera/streams/", headers=handshake(cookie=await _cookie(acme.recruiter))
    )
    await comm.connect()
    await comm.receive_json_from(timeout=3)  # the snapshot on connect does not count
    for _ in range(2):
        await comm.send_json_to({"type": "snapshot"})
        assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    await comm.send_json_to({"type": "snapshot"})
    refused = await comm.receive_json_from(timeout=3)
    assert refused["type"] == "error" and refused["code"] == "rate_limited"
    assert refused["retry_after"] >= 1
    # A second board (another connection) has its own allowance.
    other = WebsocketCommunicator(
        asgi_app, "/ws/camera/streams/", headers=handshake(cookie=await _cookie(acme.recruiter))
    )
    await other.connect()
    await other.receive_json_from(timeout=3)
    await other.send_json_to({"type": "snapshot"})
    assert (await other.receive_json_from(timeout=3))["type"] == "snapshot"
    await comm.disconnect()
    await other.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_heartbeats_beyond_the_rate_are_refused(acme, limits_on):
    limits_on.RATE_LIMIT_SOCKET_HEARTBEAT = "2 per 5 seconds"
    comm = WebsocketCommunicator(
        asgi_app, "/ws/camera/presence/", headers=handshake(cookie=await _cookie(acme.candidate))
    )
    await comm.connect()
    for _ in range(2):
        await comm.send_json_to({"type": "heartbeat"})
        assert (await comm.receive_json_from(timeout=3))["type"] == "ack"
    await comm.send_json_to({"type": "heartbeat"})
    assert (await comm.receive_json_from(timeout=3))["code"] == "rate_limited"
    await comm.disconnect()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_processes_sharing_redis_hold_one_limit(acme, password, redis_url, tmp_path):
    env = child_env(RATE_LIMIT_ENABLED="true", RATE_LIMIT_TOKEN="4 per 60 seconds")
    body = {"username": "rita", "password": password}
    with (
        asgi_server(env, tmp_path / "a.log") as a,
        asgi_server(env, tmp_path / "b.log") as b,
    ):
        answers = [
            requests.post(f"{server}/api/auth/token/", json=body, timeout=10)
            for server in (a, b, a, b, a, b)
        ]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429, 429]
    assert (
        answers[4].json()["code"] == "rate_limited" and int(answers[5].headers["Retry-After"]) >= 1
    )
