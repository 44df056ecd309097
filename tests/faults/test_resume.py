"""Follow-ups resume at once after a fault, on the production shape: a real Redis of the
suite's own (broker and channel layer), a real Celery worker with beat, uvicorn — and every
recovery setting at its production default (none of the short time-outs the other fault tests
use).

- a silent stream leaves the board within CAMERA_STREAM_TIMEOUT + 2 s (the web processes
  sweep every second; a worker's backlog or beat's schedule cannot delay it);
- a capture stored while Redis was down is analysed within 25 s of Redis returning (the web
  process held the analysis it could not queue and sends it once the broker answers);
- a frame whose worker was killed mid-analysis is analysed within 60 s (the message comes back
  after CELERY_VISIBILITY_TIMEOUT, just past the longest a task may run);
- an upload while S3 hangs is answered — 503 — within 10 s.

The bounds are the requirements themselves (a board, a reviewer, a page waiting), not speed
measurements: each is a generous multiple of what the mechanism needs.
"""

import asyncio
import base64
import io
import os
import re
import signal
import time

import aiohttp
import pytest
import requests
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token

from monitoring.models import FrameAnalysis, MonitoringImage
from tests.factories import MonitoringConsentFactory
from tests.faults.conftest import new_id
from tests.monitoring.conftest import FRAMES
from tests.processes import asgi_server, celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

STREAM_TIMEOUT = 4
FACES = [
    base64.b64encode((FRAMES / n).read_bytes()).decode()
    for n in ("one_face.jpg", "one_face_moved.jpg")
]
RECEIVED = re.compile(r"Task monitoring\.analyze_image\[([0-9a-f-]+)\] received")
SUCCEEDED = re.compile(r"Task monitoring\.analyze_image\[([0-9a-f-]+)\] succeeded")


def _production(redis, **extra) -> dict[str, str]:
    """The production shape's recovery settings: defaults, not the other fault tests' short
    ones (only the stream time-out is short, to keep the test brief; the bound scales)."""
    env = child_env(
        REDIS_URL=redis.url,
        TEST_CELERY_EAGER="false",
        CAMERA_STREAM_TIMEOUT=str(STREAM_TIMEOUT),
        **extra,
    )
    for name in (
        "CAMERA_SWEEP_INTERVAL",
        "CELERY_VISIBILITY_TIMEOUT",
        "ANALYSIS_RETRY_AFTER",
        "ANALYSIS_RECONCILE_SECONDS",
        "AWS_S3_CONNECT_TIMEOUT",
        "AWS_S3_READ_TIMEOUT",
    ):
        env.pop(name, None)
    return env


def _headers(user) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def _upload(base, headers, app_id, i, *, image=None, timeout=60) -> requests.Response:
    return requests.post(
        f"{base}/api/applications/{app_id}/monitoring-images/",
        json={
            "image_type": "camera",
            "image_data": image or FACES[i % len(FACES)],
            "client_id": new_id(),
            "captured_at": timezone.now().isoformat(),
        },
        headers=headers,
        timeout=timeout,
    )


def _wait(predicate, seconds: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# --- 1. A silent stream leaves the board on time ------------------------------------------------


async def _watch_board_until_ended(base, cookie, user_id, heartbeat, stop_beating_after):
    """Open a board, keep the candidate's camera beating for a while, then stop; returns the
    seconds from the last heartbeat to the board's `stream.ended` (None if it never came)."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            base.replace("http", "ws") + "/ws/camera/streams/",
            headers={"Origin": base, "Cookie": f"sessionid={cookie}"},
        ) as ws,
    ):
        first = await ws.receive_json(timeout=10)
        assert first["type"] == "snapshot"
        last_beat = time.monotonic()
        started = time.monotonic()
        while time.monotonic() - started < stop_beating_after:
            await asyncio.to_thread(heartbeat)
            last_beat = time.monotonic()
            await asyncio.sleep(1)
        deadline = last_beat + STREAM_TIMEOUT + 15  # long enough to see it late
        while time.monotonic() < deadline:
            try:
                message = await ws.receive_json(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                return None
            if message["type"] == "stream.ended" and message["stream"]["user_id"] == user_id:
                return time.monotonic() - last_beat
    return None


def test_a_silent_stream_leaves_the_board_within_the_timeout_and_two_seconds(
    acme, own_redis, tmp_path
):
    MonitoringConsentFactory(application=acme.application)
    env = _production(own_redis)
    headers = _headers(acme.candidate)
    client = Client()
    client.force_login(acme.recruiter)
    cookie = client.cookies["sessionid"].value
    body = {"is_active": True, "application_id": acme.application.id}
    with (
        asgi_server(env, tmp_path / "asgi.log", workers=2) as base,
        celery_worker(env, tmp_path / "worker.log", beat=True),
    ):

        def heartbeat() -> None:
            requests.post(f"{base}/api/camera/status", json=body, headers=headers, timeout=10)

        # A worker busy with an analysis backlog must not delay it: queue some first.
        for i in range(6):
            assert _upload(base, headers, acme.application.id, i).status_code == 201
        gone_after = asyncio.run(
            _watch_board_until_ended(base, cookie, acme.candidate.id, heartbeat, 3)
        )
    assert gone_after is not None, "the stream never left the board"
    assert gone_after <= STREAM_TIMEOUT + 2, f"left after {gone_after:.1f} s"


# --- 2. Captures stored while Redis was down are analysed soon after it returns -----------------


def test_captures_stored_while_redis_was_down_are_analysed_soon_after_it_returns(
    acme, own_redis, tmp_path
):
    MonitoringConsentFactory(application=acme.application)
    env = _production(own_redis)
    headers = _headers(acme.candidate)
    app_id = acme.application.id
    images = MonitoringImage.objects.filter(application=acme.application)
    analysed = FrameAnalysis.objects.filter(image__application=acme.application)
    with (
        asgi_server(env, tmp_path / "asgi.log") as base,
        celery_worker(env, tmp_path / "worker.log", beat=True),
    ):
        assert _upload(base, headers, app_id, 0).status_code == 201
        assert _wait(lambda: analysed.count() == 1, 30)

        own_redis.stop()
        during = [_upload(base, headers, app_id, 1 + i).status_code for i in range(4)]
        time.sleep(3)
        own_redis.start()
        back = time.monotonic()
        assert during == [201] * 4  # stored; their analysis could not be queued
        done = _wait(lambda: analysed.count() == images.count(), 25)
        waited = time.monotonic() - back
    assert done, f"{images.count() - analysed.count()} capture(s) not analysed after {waited:.0f} s"


# --- 3. A worker killed mid-analysis: the frame is analysed within a minute ---------------------


def _big_frame(i: int) -> str:
    """A 3-megapixel camera frame, analysed at full width: long enough (~0.7 s) to be killed
    in, short enough that the frames queued behind the killed one take seconds, not the
    minute's margin (12 megapixels took ~3 s each: 54 s of the 60 on a busy CI-like box)."""
    name = ("one_face.jpg", "one_face_moved.jpg")[i % 2]
    image = Image.open(FRAMES / name).convert("RGB").resize((2000, 1500))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return base64.b64encode(out.getvalue()).decode()


def test_a_frame_whose_worker_was_killed_is_analysed_within_a_minute(acme, own_redis, tmp_path):
    MonitoringConsentFactory(application=acme.application)
    env = _production(own_redis, ANALYSIS_DETECT_WIDTH="2000")
    headers = _headers(acme.candidate)
    frames = [_big_frame(i) for i in range(2)]
    images = MonitoringImage.objects.filter(application=acme.application)
    first_log = tmp_path / "worker-1.log"
    with asgi_server(env, tmp_path / "asgi.log") as base:
        with celery_worker(env, first_log, pool="prefork") as worker:
            for i in range(6):
                response = _upload(base, headers, acme.application.id, i, image=frames[i % 2])
                assert response.status_code == 201, response.text
            killed: set[str] = set()
            deadline = time.monotonic() + 60
            while not killed and time.monotonic() < deadline:
                log = first_log.read_text()
                killed = set(RECEIVED.findall(log)) - set(SUCCEEDED.findall(log))
                if killed:
                    os.killpg(worker.pid, signal.SIGKILL)  # mid-task: no ack, no goodbye
                    break
                time.sleep(0.02)
            assert killed, "the worker never held an analysis to kill it in"
        at_kill = time.monotonic()
        # A supervisor starts a new worker at once (systemd, Kubernetes): production shape.
        with celery_worker(env, tmp_path / "worker-2.log", pool="prefork", beat=True):
            done = _wait(
                lambda: FrameAnalysis.objects.filter(image__in=images).count() == images.count(),
                60 - (time.monotonic() - at_kill),
            )
    assert done, "a frame of the killed worker was still waiting 60 s after the kill"
    assert FrameAnalysis.objects.filter(image__in=images).count() == 6  # each once


# --- 4. An upload while S3 hangs is answered within 10 s ----------------------------------------


def test_an_upload_while_s3_hangs_is_answered_within_ten_seconds(acme, faulty_s3, tmp_path):
    proxy, _ = faulty_s3
    MonitoringConsentFactory(application=acme.application)
    env = child_env(
        AWS_S3_BUCKET_NAME="faults",
        AWS_ENDPOINT_URL_S3=proxy.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
    )
    for name in ("AWS_S3_CONNECT_TIMEOUT", "AWS_S3_READ_TIMEOUT"):  # production defaults
        env.pop(name, None)
    headers = _headers(acme.candidate)
    with asgi_server(env, tmp_path / "asgi.log") as base:
        assert _upload(base, headers, acme.application.id, 0).status_code == 201
        proxy.set("hang")
        # A page gives an upload 10 s; it must have its answer by then.
        response = _upload(base, headers, acme.application.id, 1, timeout=10)
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert int(response.headers["Retry-After"]) >= 1
