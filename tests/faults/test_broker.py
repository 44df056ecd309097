"""Redis stopped and started again (a Redis of the suite's own): HTTP and uploads keep working,
readiness names the broker and the channel layer while it is down, open boards close and new
ones are served once it is back, and every capture stored during the outage is analysed in
the end (the reconciliation sweep queues what could not be queued)."""

import asyncio
import base64
import time

import aiohttp
import pytest
import requests
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from monitoring.models import FrameAnalysis, MonitoringImage
from tests.factories import MonitoringConsentFactory
from tests.faults.conftest import new_id
from tests.monitoring.conftest import FRAMES
from tests.processes import asgi_server, celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FACES = [
    base64.b64encode((FRAMES / n).read_bytes()).decode()
    for n in ("one_face.jpg", "one_face_moved.jpg", "two_faces.jpg", "no_face_coffee.jpg")
]


def _broker_env(redis) -> dict[str, str]:
    return child_env(
        REDIS_URL=redis.url,
        TEST_CELERY_EAGER="false",
        ANALYSIS_RETRY_AFTER="3",
        ANALYSIS_RECONCILE_SECONDS="2",
        CELERY_VISIBILITY_TIMEOUT="10",
    )


def _upload(base, headers, app_id, i) -> int:
    response = requests.post(
        f"{base}/api/applications/{app_id}/monitoring-images/",
        json={
            "image_type": "camera",
            "image_data": FACES[i % len(FACES)],
            "client_id": new_id(),
            "captured_at": timezone.now().isoformat(),
        },
        headers=headers,
        timeout=30,
    )
    return response.status_code


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


async def _board_snapshot(base, cookie, seconds=20) -> dict | None:
    """Connect a board, as the page does: retry a refusal or a silent socket until served."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.ws_connect(
                    base.replace("http", "ws") + "/ws/camera/streams/",
                    headers={"Origin": base, "Cookie": f"sessionid={cookie}"},
                ) as ws:
                    message = await ws.receive(timeout=5)
                    if message.type == aiohttp.WSMsgType.TEXT:
                        return message.json()
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.5)
    return None


def test_redis_down_and_back(acme, own_redis, tmp_path):
    MonitoringConsentFactory(application=acme.application)
    env = _broker_env(own_redis)
    token = Token.objects.get_or_create(user=acme.candidate)[0].key
    headers = {"Authorization": f"Token {token}"}
    client = Client()
    client.force_login(acme.recruiter)
    cookie = client.cookies["sessionid"].value
    app_id = acme.application.id
    with (
        asgi_server(env, tmp_path / "asgi.log") as base,
        celery_worker(env, tmp_path / "worker.log", beat=True) as worker,
    ):
        assert [_upload(base, headers, app_id, i) for i in range(2)] == [201, 201]
        assert asyncio.run(_board_snapshot(base, cookie))["type"] == "snapshot"

        own_redis.stop()
        during = [_upload(base, headers, app_id, 2 + i) for i in range(4)]
        me = requests.get(f"{base}/api/auth/me/", headers=headers, timeout=10)
        ready = requests.get(f"{base}/api/health/ready/", timeout=10)
        time.sleep(6)  # longer than a worker's first reconnection attempts
        own_redis.start()

        assert during == [201] * 4  # stored; only their analysis could not be queued
        assert me.status_code == 200
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert checks["broker"].startswith("down") and checks["channel_layer"].startswith("down")
        assert checks["database"] == "ok"

        snapshot = asyncio.run(_board_snapshot(base, cookie))
        assert snapshot is not None and snapshot["type"] == "snapshot"  # boards are served again
        assert _wait(
            lambda: requests.get(f"{base}/api/health/ready/", timeout=10).status_code == 200, 30
        )

        images = MonitoringImage.objects.filter(application=acme.application)
        assert _wait(lambda: FrameAnalysis.objects.filter(image__in=images).count() == 6, 90), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        assert worker.poll() is None  # the worker reconnected rather than giving up
    assert images.count() == 6
    assert FrameAnalysis.objects.count() == 6  # one each: none lost, none twice
