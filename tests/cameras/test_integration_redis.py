"""Two real processes, one Redis: a Celery worker's broadcast reaches a uvicorn-served board."""

import asyncio
from datetime import timedelta

import aiohttp
import pytest
from django.test import Client
from django.utils import timezone

from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from cameras.tasks import sweep_stale_streams
from tests.processes import asgi_server, celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _receive(ws, timeout: float) -> dict:
    message = await asyncio.wait_for(ws.receive(), timeout)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return message.json()


def test_worker_sweep_reaches_board_through_redis(acme, settings, tmp_path, real_celery):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis.")
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    CameraStream.objects.update(
        last_updated=timezone.now() - timedelta(seconds=settings.CAMERA_STREAM_TIMEOUT + 5)
    )
    # no live sweep in the server (issue 41 runs one there by default): only the worker may end it
    env = child_env(LIVE_SWEEPS_IN_WEB="false")
    cookie = _cookie(acme.recruiter)

    with (
        asgi_server(env, tmp_path / "asgi.log") as url,
        celery_worker(env, tmp_path / "worker.log"),
    ):

        async def scenario():
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(
                    url.replace("http", "ws") + "/ws/camera/streams/",
                    headers={"Origin": url, "Cookie": f"sessionid={cookie}"},
                ) as ws,
            ):
                snapshot = await _receive(ws, 10)
                assert snapshot == {**snapshot, "type": "snapshot", "streams": []}
                await asyncio.to_thread(sweep_stale_streams.delay)
                return await _receive(ws, 20)

        ended = asyncio.run(scenario())

    assert ended["type"] == "stream.ended"
    assert ended["stream"]["username"] == "john"
    assert CameraStream.objects.get().is_active is False
    assert "cameras.sweep_stale_streams" in (tmp_path / "worker.log").read_text()


def test_heartbeat_on_one_server_reaches_a_board_on_another(acme, tmp_path, redis_url):
    """Two ASGI processes share the Redis channel layer: status on one, board on the other."""
    env = child_env()
    board_cookie = _cookie(acme.recruiter)
    candidate_cookie = _cookie(acme.candidate)
    with (
        asgi_server(env, tmp_path / "a.log") as board_url,
        asgi_server(env, tmp_path / "b.log") as api_url,
    ):

        async def scenario():
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(
                    board_url.replace("http", "ws") + "/ws/camera/streams/",
                    headers={"Origin": board_url, "Cookie": f"sessionid={board_cookie}"},
                ) as ws,
            ):
                await _receive(ws, 10)
                csrf = "x" * 32
                response = await session.post(
                    api_url + "/api/camera/status",
                    json={"is_active": True, "application_id": acme.application.id},
                    headers={
                        "Cookie": f"sessionid={candidate_cookie}; csrftoken={csrf}",
                        "X-CSRFToken": csrf,
                        "Referer": api_url + "/",
                    },
                )
                assert response.status == 200, await response.text()
                return await _receive(ws, 10)

        started = asyncio.run(scenario())
    assert started["type"] == "stream.started"
    assert started["stream"]["application_id"] == acme.application.id
