"""A Celery worker killed with SIGKILL in the middle of an analysis: the task it held comes
back from the broker (acks late, a short visibility time-out) to the next worker, and every
capture ends up analysed exactly once — without waiting for the reconciliation sweep."""

import base64
import io
import os
import re
import signal
import time

import psutil
import pytest
import requests
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token

from monitoring.models import FrameAnalysis, MonitoringImage
from tests.factories import MonitoringConsentFactory
from tests.faults.conftest import new_id
from tests.monitoring.conftest import FRAMES
from tests.processes import asgi_server, celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RECEIVED = re.compile(r"Task monitoring\.analyze_image\[([0-9a-f-]+)\] received")
SUCCEEDED = re.compile(r"Task monitoring\.analyze_image\[([0-9a-f-]+)\] succeeded")


def _big_frame(i: int) -> str:
    """A 5-megapixel camera frame (a real face, enlarged): its analysis takes a while."""
    name = ("one_face.jpg", "one_face_moved.jpg")[i % 2]
    image = Image.open(FRAMES / name).convert("RGB").resize((2600, 1950))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return base64.b64encode(out.getvalue()).decode()


def _in_flight(log: str) -> set[str]:
    return set(RECEIVED.findall(log)) - set(SUCCEEDED.findall(log))


@pytest.mark.timeout(240)
def test_a_worker_killed_mid_task_loses_nothing(acme, own_redis, tmp_path):
    MonitoringConsentFactory(application=acme.application)
    env = child_env(
        REDIS_URL=own_redis.url,
        TEST_CELERY_EAGER="false",
        # Longer than one analysis here, even on a busy CI box: a task still running when it
        # runs out is delivered again (a CI run on a slow box analysed each frame 2–4 times at
        # 5 s and 12 megapixels, and timed out); short enough for the killed one to return.
        CELERY_VISIBILITY_TIMEOUT="12",
        ANALYSIS_RETRY_AFTER="3600",  # recovery must come from the broker, not the sweep
        # Analyse the large frames at full size: a task that takes a while to kill in (at the
        # default width, draft-mode decoding makes it too quick to catch mid-way).
        ANALYSIS_DETECT_WIDTH="2600",
    )
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=acme.candidate)[0].key}"}
    frames = [_big_frame(i) for i in range(2)]
    first_log = tmp_path / "worker-1.log"
    with asgi_server(env, tmp_path / "asgi.log") as base:
        with celery_worker(env, first_log, pool="prefork") as worker:
            # Batch work yields the CPU to requests (WORKER_NICE): the worker and its pool.
            for process in [psutil.Process(worker.pid), *psutil.Process(worker.pid).children()]:
                assert process.nice() == 10
            for i in range(8):
                response = requests.post(
                    f"{base}/api/applications/{acme.application.id}/monitoring-images/",
                    json={
                        "image_type": "camera",
                        "image_data": frames[i % 2],
                        "client_id": new_id(),
                        "captured_at": timezone.now().isoformat(),
                    },
                    headers=headers,
                    timeout=60,
                )
                assert response.status_code == 201, response.text
            killed: set[str] = set()
            deadline = time.monotonic() + 60
            while not killed and time.monotonic() < deadline:
                killed = _in_flight(first_log.read_text())
                if killed:
                    os.killpg(worker.pid, signal.SIGKILL)  # mid-task: no ack, no goodbye
                    break
                time.sleep(0.02)
            assert killed, "the worker never held an analysis to kill it in"

        second_log = tmp_path / "worker-2.log"
        images = MonitoringImage.objects.filter(application=acme.application)
        with celery_worker(env, second_log, pool="prefork"):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if FrameAnalysis.objects.filter(image__in=images).count() == images.count():
                    break
                time.sleep(0.5)
            redelivered = set(RECEIVED.findall(second_log.read_text()))

    assert images.count() == 8
    assert FrameAnalysis.objects.filter(image__in=images).count() == 8  # every one, once
    assert killed <= redelivered  # the task the dead worker held came back


def _sessions_opened() -> int:
    """PostgreSQL's count of sessions ever opened on this database (pg_stat_database)."""
    from django.db import connection

    time.sleep(1.2)  # a backend reports its counts at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_a_worker_keeps_its_database_connection_from_task_to_task(acme, own_redis, tmp_path):
    """Celery's Django fixup closed the connection around every task — with a pool, the whole
    pool, which opened new ones: ten captures (an analysis and a board snapshot each: twenty
    tasks) cost 26 PostgreSQL sessions then. Twenty captures (forty tasks) now cost the few of
    the worker's start (its checks, its pool process's one connection): 6 measured alone, 11
    on a busy CI box (whatever else opens a session on this database meanwhile)."""
    MonitoringConsentFactory(application=acme.application)
    env = child_env(REDIS_URL=own_redis.url, TEST_CELERY_EAGER="false")
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=acme.candidate)[0].key}"}
    frame = base64.b64encode((FRAMES / "one_face.jpg").read_bytes()).decode()
    images = MonitoringImage.objects.filter(application=acme.application)
    with asgi_server(env, tmp_path / "asgi.log") as base:
        for _ in range(20):
            response = requests.post(
                f"{base}/api/applications/{acme.application.id}/monitoring-images/",
                json={"image_type": "camera", "image_data": frame, "client_id": new_id()},
                headers=headers,
                timeout=30,
            )
            assert response.status_code == 201, response.text
        before = _sessions_opened()
        with celery_worker(env, tmp_path / "worker.log", pool="prefork"):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if FrameAnalysis.objects.filter(image__in=images).count() == 20:
                    break
                time.sleep(0.3)
            log = (tmp_path / "worker.log").read_text()
            while time.monotonic() < deadline and log.count("succeeded") < 40:
                time.sleep(0.3)
                log = (tmp_path / "worker.log").read_text()
        opened = _sessions_opened() - before
    assert FrameAnalysis.objects.filter(image__in=images).count() == 20
    assert log.count("succeeded") >= 40, log[-2000:]
    assert opened <= 16, f"{opened} sessions for 40 tasks"
