"""Embedded-mode benchmark: what `bin/run` alone (one uvicorn process, SQLite in WAL mode, the
in-memory channel layer, the embedded runner) serves.

    .venv/bin/python bench/embedded.py     # no service needed

Figures, all against the same process in the same run: a trivial JSON view (/api/health/)
as the baseline, HTTP heartbeats (POST /api/camera/status by 64 candidates), and a mixed load
(64 heartbeating candidates plus 8 uploading ones) with the time until every capture is
analysed. Prints figures; asserts nothing. Target: heartbeats ≥ 0.5× the trivial view.
"""

import asyncio
import base64
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import asgi, embedded_env, embedded_shell, percentile  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="invigil-embedded-"))
CANDIDATES = 64
SECONDS = 8.0
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
FACES = [
    base64.b64encode((BASE_DIR / "tests" / "fixtures" / "frames" / n).read_bytes()).decode()
    for n in ("one_face.jpg", "one_face_moved.jpg", "no_face_coffee.jpg", "two_faces.jpg")
]
SETUP = f"""
import json
from django.utils import timezone
from rest_framework.authtoken.models import Token
from applications.notice import CURRENT as NOTICE
from accounts.models import Organization, User
from applications.models import Job, JobApplication, MonitoringConsent
org = Organization.objects.create(name="Day", slug="day")
rita = User.objects.create(username="rita", role="recruiter", organization=org)
job = Job.objects.create(organization=org, title="Engineer")
now = timezone.now()
out = {{"recruiter": Token.objects.create(user=rita).key, "candidates": []}}
for i in range({CANDIDATES}):
    user = User.objects.create(username=f"c{{i}}", role="candidate")
    app = JobApplication.objects.create(job=job, candidate=user, status="in_progress")
    MonitoringConsent.objects.create(application=app, notice_version=NOTICE, accepted_at=now)
    out["candidates"].append((Token.objects.create(user=user).key, app.id))
print("SETUP" + json.dumps(out))
"""


def ms(latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return f"p50 {p50:>5.1f} ms  p99 {p99:>6.1f} ms"


def env() -> dict[str, str]:
    return embedded_env(WORK)


def prepare() -> dict:
    return json.loads(embedded_shell(env(), SETUP, "SETUP"))


async def hammer(make_request, seconds: float, concurrency: int) -> tuple[float, list, int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(n: int):
        nonlocal errors
        i = n
        while time.perf_counter() < stop:
            start = time.perf_counter()
            status = await make_request(i)
            latencies.append(time.perf_counter() - start)
            if status >= 500 or status == 0:
                errors += 1
            i += concurrency

    began = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return len(latencies) / (time.perf_counter() - began), latencies, errors


async def main_async(url: str, people: dict) -> None:
    candidates = people["candidates"]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def trivial(i):
            async with session.get(f"{url}/api/health/") as r:
                await r.read()
                return r.status

        async def heartbeat(i):
            token, app_id = candidates[i % len(candidates)]
            async with session.post(
                f"{url}/api/camera/status",
                json={"is_active": True, "application_id": app_id},
                headers={"Authorization": f"Token {token}"},
            ) as r:
                await r.read()
                return r.status

        async def upload(i):
            token, app_id = candidates[i % 8]
            async with session.post(
                f"{url}/api/applications/{app_id}/monitoring-images/",
                json={
                    "image_type": "camera",
                    "image_data": FACES[i % len(FACES)],
                    "client_id": str(uuid.uuid4()),
                },
                headers={"Authorization": f"Token {token}"},
            ) as r:
                await r.read()
                return r.status

        await hammer(trivial, 1.0, 4)  # warm-up
        base_rate, base_lat, _ = await hammer(trivial, SECONDS, CONCURRENCY)
        hb_rate, hb_lat, hb_err = await hammer(heartbeat, SECONDS, CONCURRENCY)
        print(f"{'trivial view GET /api/health/':<44} {base_rate:>7.0f} req/s  {ms(base_lat)}")
        print(
            f"{'HTTP heartbeat POST /api/camera/status':<44} {hb_rate:>7.0f} req/s  {ms(hb_lat)}"
            f"  = {hb_rate / base_rate:.2f}× the trivial view (target ≥ 0.5×), 5xx: {hb_err}"
        )

        mixed = await asyncio.gather(
            hammer(heartbeat, SECONDS, CONCURRENCY), hammer(upload, SECONDS, 8)
        )
        (m_hb_rate, m_hb_lat, m_hb_err), (up_rate, up_lat, up_err) = mixed
        print(
            f"{'mixed: heartbeats':<44} {m_hb_rate:>7.0f} req/s  p99 "
            f"{percentile(m_hb_lat, 99) * 1000:>6.1f} ms  5xx: {m_hb_err}"
        )
        print(
            f"{'mixed: uploads (8 candidates)':<44} {up_rate:>7.1f} img/s  p99 "
            f"{percentile(up_lat, 99) * 1000:>6.1f} ms  5xx: {up_err}"
        )

        recruiter = {"Authorization": f"Token {people['recruiter']}"}
        began = time.perf_counter()
        while True:
            missing = 0
            for _, app_id in candidates[:8]:
                async with session.get(
                    f"{url}/api/applications/{app_id}/monitoring-images/", headers=recruiter
                ) as r:
                    listing = await r.json()
                missing += sum(1 for image in listing["camera"] if image["analysis"] is None)
            if not missing or time.perf_counter() - began > 300:
                break
            await asyncio.sleep(0.5)
        print(
            f"{'analysis backlog drained after the load':<44} {time.perf_counter() - began:>7.1f} s"
            f"  (unanalysed left: {missing})"
        )


def main() -> None:
    people = prepare()
    print(
        f"Embedded mode: one uvicorn process, SQLite (WAL), embedded runner; {CANDIDATES} "
        f"candidates, concurrency {CONCURRENCY}, {SECONDS:.0f} s per measure"
    )
    with asgi(env(), "embedded") as (url, _):
        asyncio.run(main_async(url, people))


if __name__ == "__main__":
    main()
