"""Past one machine: two web instances and two analysis workers on one Redis and one
PostgreSQL. Captures uploaded through either instance are each stored once and analysed
exactly once — by one worker or the other, never both, none skipped — and a board on one
instance hears a camera turned on through the other."""

import asyncio
import base64
import re

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
# The worker logs each task with what it returned: "succeeded in 0.1s: 'capture 17'".
ANALYSED = re.compile(r"analyze_image\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: 'capture (\d+)'")
CAPTURES = 24


async def _board_hears_camera_on(board_base, cookie, turn_on) -> dict:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            board_base.replace("http", "ws") + "/ws/camera/streams/",
            headers={"Origin": board_base, "Cookie": f"sessionid={cookie}"},
        ) as ws,
    ):
        assert (await ws.receive_json(timeout=10))["type"] == "snapshot"
        await asyncio.to_thread(turn_on)
        while True:
            message = await ws.receive_json(timeout=10)
            if message["type"] == "stream.started":
                return message


def test_two_web_instances_and_two_workers_analyse_each_capture_once(
    acme, globex, own_redis, tmp_path
):
    for org in (acme, globex):
        MonitoringConsentFactory(application=org.application)
    env = child_env(REDIS_URL=own_redis.url, TEST_CELERY_EAGER="false")
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    people = [
        (
            org.application.id,
            {"Authorization": f"Token {Token.objects.get_or_create(user=org.candidate)[0].key}"},
        )
        for org in (acme, globex)
    ]
    client = Client()
    client.force_login(acme.recruiter)
    cookie = client.cookies["sessionid"].value
    with (
        asgi_server(env, tmp_path / "web-a.log") as web_a,
        asgi_server(env, tmp_path / "web-b.log") as web_b,
        celery_worker(env, logs[0], pool="prefork", beat=True),
        celery_worker(env, logs[1], pool="prefork"),
    ):
        for i in range(CAPTURES):
            app_id, headers = people[i % 2]
            base = (web_a, web_b)[(i // 2) % 2]
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
            assert response.status_code == 201, response.text

        def turn_on() -> None:
            app_id, headers = people[0]
            requests.post(
                f"{web_b}/api/camera/status",
                json={"is_active": True, "application_id": app_id},
                headers=headers,
                timeout=10,
            )

        started = asyncio.run(_board_hears_camera_on(web_a, cookie, turn_on))
        images = MonitoringImage.objects.all()
        deadline = timezone.now().timestamp() + 90

        def logged() -> list[int]:
            return [int(i) for log in logs for i in ANALYSED.findall(log.read_text())]

        while timezone.now().timestamp() < deadline:  # stored, then the worker's log line
            if FrameAnalysis.objects.count() == images.count() and len(logged()) >= CAPTURES:
                break
            asyncio.run(asyncio.sleep(0.5))
        runs = logged()
        by_worker = [set(ANALYSED.findall(log.read_text())) for log in logs]

    assert started["stream"]["user_id"] == acme.candidate.id  # on A, heard through B
    assert images.count() == CAPTURES  # each stored once
    assert FrameAnalysis.objects.count() == CAPTURES  # none skipped
    assert sorted(runs) == sorted(images.values_list("id", flat=True))  # each analysed once
    assert all(by_worker), "both workers took a share"
