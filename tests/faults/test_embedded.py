"""The embedded mode holds a small team's day: one uvicorn process on SQLite (WAL, IMMEDIATE
transactions, a busy time-out) with the embedded runner; 64 candidates sending HTTP heartbeats
and 8 uploading captures at once get no 5xx, and every capture is analysed in the end."""

import base64
import json
import subprocess
import sys
import threading
import time

import pytest
import requests
from django.utils import timezone

from tests.faults.conftest import new_id
from tests.monitoring.conftest import FRAMES
from tests.processes import BASE_DIR, asgi_server, child_env

pytestmark = [pytest.mark.services]

CANDIDATES = 64
UPLOADERS = 8
UPLOADS_EACH = 8
FACES = [
    base64.b64encode((FRAMES / n).read_bytes()).decode()
    for n in ("one_face.jpg", "one_face_moved.jpg", "no_face_coffee.jpg", "two_faces.jpg")
]

SETUP = f"""
import json
from django.utils import timezone
from rest_framework.authtoken.models import Token
from accounts.models import Organization, User
from applications.models import Job, JobApplication, MonitoringConsent
from applications.notice import CURRENT as NOTICE

org = Organization.objects.create(name="Day", slug="day")
rita = User.objects.create(username="rita", role="recruiter", organization=org)
job = Job.objects.create(organization=org, title="Engineer")
now = timezone.now()
out = {{"recruiter": Token.objects.create(user=rita).key, "candidates": []}}
for i in range({CANDIDATES}):
    user = User.objects.create(username=f"c{{i}}", role="candidate", last_name=str(i))
    app = JobApplication.objects.create(job=job, candidate=user, status="in_progress")
    MonitoringConsent.objects.create(application=app, notice_version=NOTICE, accepted_at=now)
    out["candidates"].append((Token.objects.create(user=user).key, app.id))
print("SETUP" + json.dumps(out))
"""


def embedded_env(tmp_path) -> dict[str, str]:
    env = child_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'day.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        EMBEDDED_RUNNER="true",
        TEST_CELERY_EAGER="false",
    )
    for key in ("REDIS_URL", "AWS_S3_BUCKET_NAME", "AWS_ENDPOINT_URL_S3"):
        env.pop(key, None)
    return env


def prepare(env) -> dict:
    for args in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", SETUP]):
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.split("SETUP", 1)[1])


def test_a_small_teams_day_on_sqlite(tmp_path):
    env = embedded_env(tmp_path)
    people = prepare(env)
    statuses: list[int] = []
    lock = threading.Lock()

    def record(code: int) -> None:
        with lock:
            statuses.append(code)

    with asgi_server(env, tmp_path / "asgi.log") as base:

        def heartbeats(token, app_id):
            for _ in range(10):
                try:
                    r = requests.post(
                        f"{base}/api/camera/status",
                        json={"is_active": True, "application_id": app_id},
                        headers={"Authorization": f"Token {token}"},
                        timeout=60,
                    )
                    record(r.status_code)
                except requests.RequestException:
                    record(0)

        def uploads(token, app_id):
            for i in range(UPLOADS_EACH):
                try:
                    r = requests.post(
                        f"{base}/api/applications/{app_id}/monitoring-images/",
                        json={
                            "image_type": "camera",
                            "image_data": FACES[i % len(FACES)],
                            "client_id": new_id(),
                            "captured_at": timezone.now().isoformat(),
                        },
                        headers={"Authorization": f"Token {token}"},
                        timeout=60,
                    )
                    record(r.status_code)
                except requests.RequestException:
                    record(0)

        threads = [threading.Thread(target=heartbeats, args=c) for c in people["candidates"]]
        threads += [
            threading.Thread(target=uploads, args=c) for c in people["candidates"][:UPLOADERS]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)

        recruiter = {"Authorization": f"Token {people['recruiter']}"}

        def unanalysed() -> int:
            missing = 0
            for _, app_id in people["candidates"][:UPLOADERS]:
                listing = requests.get(
                    f"{base}/api/applications/{app_id}/monitoring-images/",
                    headers=recruiter,
                    timeout=30,
                ).json()
                missing += sum(1 for image in listing["camera"] if image["analysis"] is None)
                missing += UPLOADS_EACH - len(listing["camera"])
            return missing

        deadline = time.monotonic() + 180
        while unanalysed() and time.monotonic() < deadline:
            time.sleep(1)
        left = unanalysed()
        log = (tmp_path / "asgi.log").read_text()

    assert len(statuses) == CANDIDATES * 10 + UPLOADERS * UPLOADS_EACH
    assert [s for s in statuses if s >= 500 or s == 0] == [], log[-3000:]
    assert left == 0, log[-3000:]
    assert "database is locked" not in log
