"""Redis stopped and started again (a Redis of the suite's own): HTTP and uploads keep working,
readiness names the broker and the channel layer while it is down, open boards close and new
ones are served once it is back, and every capture stored during the outage is analysed in
the end (the reconciliation sweep queues what could not be queued)."""

import asyncio
import base64
import time
from datetime import timedelta

import aiohttp
import pytest
import requests
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from common.models import OutboxMessage
from monitoring.models import FrameAnalysis, IntegrityEvent, MonitoringImage
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


def _mails(folder) -> list[str]:
    """The Message-IDs of every e-mail the processes wrote (file-based e-mail backend)."""
    ids = []
    for path in sorted(folder.glob("*")):
        for line in path.read_text().splitlines():
            if line.startswith("Message-ID:"):
                ids.append(line.split(":", 1)[1].strip())
    return ids


def test_with_the_broker_down_an_invitation_is_made_and_mailed_once_it_returns(
    acme, own_redis, tmp_path
):
    """An e-mail cannot be derived again from stored state: the outbox row written with the
    invitation is delivered once the broker is back (the sweep), exactly once. Meanwhile a
    page event's integrity update, which no sweep would redo, runs in the web process."""
    MonitoringConsentFactory(application=acme.application)
    acme.application.started_at = timezone.now()
    acme.application.save()
    mail = tmp_path / "mail"
    env = {
        **_broker_env(own_redis),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        "OUTBOX_SWEEP_SECONDS": "1",
        "OUTBOX_RESEND_AFTER": "2",
    }
    recruiter = {"Authorization": f"Token {Token.objects.get_or_create(user=acme.recruiter)[0]}"}
    candidate = {"Authorization": f"Token {Token.objects.get_or_create(user=acme.candidate)[0]}"}
    app_id = acme.application.id
    with (
        asgi_server(env, tmp_path / "asgi.log") as base,
        celery_worker(env, tmp_path / "worker.log", beat=True),
    ):
        own_redis.stop()
        invited = requests.post(
            f"{base}/api/applications/",
            json={"job_id": acme.job.id, "candidate_email": "nina@example.com"},
            headers=recruiter,
            timeout=30,
        )
        start = timezone.now() - timedelta(seconds=40)
        events = [
            requests.post(
                f"{base}/api/applications/{app_id}/events/",
                json={
                    "type": kind,
                    "occurred_at": (start + timedelta(seconds=s)).isoformat(),
                },
                headers=candidate,
                timeout=30,
            ).status_code
            for kind, s in (("tab_hidden", 0), ("tab_visible", 25))
        ]
        assert invited.status_code == 201, invited.text
        assert events == [201, 201]
        # No broker: the integrity update ran here, the e-mail waits in the outbox.
        assert IntegrityEvent.objects.filter(application_id=app_id, type="tab_hidden").exists()
        message = OutboxMessage.objects.get()
        assert message.state == "pending"
        time.sleep(3)
        assert not mail.exists() or _mails(mail) == []

        own_redis.start()
        assert _wait(lambda: mail.exists() and len(_mails(mail)) >= 1, 60), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        time.sleep(4)  # a few more sweeps: nothing is sent twice
    assert _mails(mail) == [f"<{message.pk}@invigil.local>"]
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 1
