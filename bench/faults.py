"""Fault benchmark: what users feel while S3 hangs or refuses and while Redis is down, on the
production shape, measured from outside.

    .venv/bin/python bench/faults.py   # PostgreSQL on 127.0.0.1 (bin/test starts it)

Two uvicorn workers on PostgreSQL, a Celery worker with beat, a Redis of the bench's own
(stopped and started for real) and a moto S3 server behind a TCP proxy that can hang or
refuse. Eight candidate pages capture one frame a second each and send their queue as the
page does (oldest first, honouring Retry-After); a recruiter calls GET /api/auth/me/ all the
while. The S3 time-outs and the storage breaker are the production defaults; only the
analysis reconciliation runs more often than in production (ANALYSIS_RETRY_AFTER 10 s,
every 5 s: production waits 120 s, every 30 s) so the run stays short.

Figures, each phase against the healthy baseline measured first in the same run: upload
answer times (the 503 latency while S3 hangs or refuses), the other endpoint's p99, how long
until every waiting capture is stored once S3 is back, and how long until every capture is
analysed once Redis is back. Prints figures; asserts nothing.
"""

import asyncio
import base64
import io
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from _harness import (
    BASE_DIR,
    asgi,
    bench_candidates,
    bench_env,
    free_port,
    moto_s3,
    percentile,
    prepare_database,
    process,
    s3_env,
    setup_django,
)
from PIL import Image

from tests.faultkit import FaultyProxy, OwnRedis

PAGES = 8
BUCKET = "invigil-faults"
WORK = Path(tempfile.mkdtemp(prefix="invigil-faults-"))


def frame(seed: int) -> str:
    image = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((320, 240)),
            Image.effect_noise((320, 240), 10 + seed % 7),
            Image.linear_gradient("L").resize((320, 240)).rotate(90),
        ],
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return base64.b64encode(out.getvalue()).decode()


def make_people() -> tuple[str, list[tuple[str, int]]]:
    from rest_framework.authtoken.models import Token

    from accounts.models import Organization, User
    from monitoring.models import MonitoringImage

    MonitoringImage.objects.filter(application__job__organization__slug="faults").delete()
    org, _ = Organization.objects.get_or_create(slug="faults", defaults={"name": "Faults"})
    rita, _ = User.objects.get_or_create(
        username="faults-recruiter", defaults={"role": "recruiter", "organization": org}
    )
    candidates = bench_candidates(
        org_slug="faults", usernames=[f"faults-c{i}" for i in range(PAGES)]
    )
    pages = [(token, app.pk) for _, app, token in candidates]
    return Token.objects.get_or_create(user=rita)[0].key, pages


class Page:
    """A candidate's page: a capture a second into a queue, sent oldest first until
    acknowledged; a 503 waits for its Retry-After (as static/monitoring/capture.js does)."""

    def __init__(self, url: str, token: str, app_id: int, seed: int):
        self.endpoint = f"{url}/api/applications/{app_id}/monitoring-images/"
        self.headers = {"Authorization": f"Token {token}"}
        self.queue: list[dict] = []
        self.seed = seed
        self.answers: list[tuple[float, int, float]] = []  # (at, status, seconds)
        self.stored: set[str] = set()

    async def capture_every_second(self, until: float) -> None:
        while time.monotonic() < until:
            self.queue.append(
                {
                    "image_type": "camera",
                    "image_data": frame(self.seed + len(self.answers)),
                    "client_id": str(uuid.uuid4()),
                }
            )
            await asyncio.sleep(1)

    async def send_forever(self, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if not self.queue:
                await asyncio.sleep(0.1)
                continue
            body = self.queue[0]
            started = time.monotonic()
            wait = 0.0
            try:
                async with session.post(self.endpoint, json=body, headers=self.headers) as r:
                    await r.read()
                    status = r.status
                    if status == 503:
                        wait = min(float(r.headers.get("Retry-After", "1")), 5.0)
            except (aiohttp.ClientError, TimeoutError):
                status, wait = 0, 1.0
            self.answers.append((started, status, time.monotonic() - started))
            if status in (200, 201):
                self.stored.add(self.queue.pop(0)["client_id"])
            else:
                await asyncio.sleep(wait or 0.5)


async def keep_calling(session, url: str, headers: dict, stop: asyncio.Event, out: list) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            async with session.get(url, headers=headers) as r:
                await r.read()
                status = r.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        out.append((started, status, time.monotonic() - started))
        await asyncio.sleep(0.05)


def window(samples: list[tuple[float, int, float]], start: float, end: float):
    return [s for s in samples if start <= s[0] < end]


def fmt(samples, label: str) -> str:
    """p50/p99/max of the answer times, for all answers and per status code."""
    if not samples:
        return f"{label:<40} (none)"

    def stats(values: list[float]) -> str:
        return (
            f"p50 {percentile(values, 50) * 1000:>7.1f} ms  "
            f"p99 {percentile(values, 99) * 1000:>7.1f} ms  max {max(values) * 1000:>7.1f} ms"
        )

    by_status: dict[int, list[float]] = {}
    for _, status, seconds in samples:
        by_status.setdefault(status, []).append(seconds)
    lines = [f"{label:<40} {stats([s[2] for s in samples])}  ({len(samples)} answers)"]
    if len(by_status) > 1 or label.strip().startswith("uploads"):
        for status, values in sorted(by_status.items()):
            lines.append(f"{'    answered ' + str(status):<40} {stats(values)}  ×{len(values)}")
    return "\n".join(lines)


def counts(app_ids: list[int]) -> tuple[int, int]:
    from django.db import close_old_connections

    from monitoring.models import FrameAnalysis, MonitoringImage

    close_old_connections()
    images = MonitoringImage.objects.filter(application_id__in=app_ids)
    return images.count(), FrameAnalysis.objects.filter(image__in=images).count()


async def run(url: str, recruiter: str, people, proxy: FaultyProxy, redis: OwnRedis) -> None:
    pages = [Page(url, token, app_id, i * 10) for i, (token, app_id) in enumerate(people)]
    app_ids = [app_id for _, app_id in people]
    stop = asyncio.Event()
    others: list = []
    marks: dict[str, float] = {}

    async def wait_queues_empty(limit: float) -> float:
        began = time.monotonic()
        while any(p.queue for p in pages) and time.monotonic() - began < limit:
            await asyncio.sleep(0.1)
        return time.monotonic() - began

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        senders = [asyncio.create_task(p.send_forever(session, stop)) for p in pages]
        caller = asyncio.create_task(
            keep_calling(
                session,
                f"{url}/api/auth/me/",
                {"Authorization": f"Token {recruiter}"},
                stop,
                others,
            )
        )

        async def phase(name: str, seconds: float, fault=None, heal=None) -> float:
            if fault:
                fault()
            marks[name] = time.monotonic()
            await asyncio.gather(
                *(p.capture_every_second(time.monotonic() + seconds) for p in pages)
            )
            if heal:
                heal()
            marks[name + ":healed"] = time.monotonic()
            recovery = await wait_queues_empty(90)
            marks[name + ":end"] = time.monotonic()  # the window includes the recovery
            return recovery

        print(f"healthy baseline: {PAGES} pages, one capture a second each, 8 s", flush=True)
        await phase("healthy", 8)
        print("S3 hangs for 30 s (connect succeeds, no answer)", flush=True)
        hang_recovery = await phase(
            "hang", 30, lambda: proxy.set("hang"), lambda: proxy.set("pass")
        )
        print("S3 refuses connections for 12 s", flush=True)
        refuse_recovery = await phase(
            "refuse", 12, lambda: proxy.set("refuse"), lambda: proxy.set("pass")
        )
        print("Redis down for 8 s (broker and channel layer)", flush=True)
        await phase("redis", 8, redis.stop, redis.start)
        back = marks["redis:healed"]
        stored, analysed = await asyncio.to_thread(counts, app_ids)
        while analysed < stored and time.monotonic() - back < 180:
            await asyncio.sleep(0.5)
            stored, analysed = await asyncio.to_thread(counts, app_ids)
        analysed_after = time.monotonic() - back
        stop.set()
        await asyncio.gather(*senders, caller)

    uploads = [a for p in pages for a in p.answers]
    print()
    titles = {
        "healthy": "healthy",
        "hang": "S3 hangs 30 s (and until the pages' queues are empty)",
        "refuse": "S3 refuses 12 s (and until the pages' queues are empty)",
        "redis": "Redis down 8 s",
    }
    for name, title in titles.items():
        start, end = marks[name], marks[name + ":end"]
        print(f"-- {title}")
        print(fmt(window(uploads, start, end), "  uploads answered"))
        print(fmt(window(others, start, end), "  GET /api/auth/me/ meanwhile"))
    print()
    print(
        f"waiting captures all stored after S3 came back: hang {hang_recovery:.1f} s, "
        f"refusal {refuse_recovery:.1f} s"
    )
    print(
        f"every capture analysed {analysed_after:.1f} s after Redis came back "
        f"({analysed}/{stored}; reconciliation every 5 s for captures over 10 s old)"
    )
    sent = sum(len(p.stored) for p in pages)
    lost = sum(len(p.queue) for p in pages)
    five = sum(
        1 for _, status, _ in uploads + others if (status >= 500 and status != 503) or status == 0
    )
    print(
        f"captures acknowledged {sent}, rows {stored}, still waiting {lost}, "
        f"5xx other than 503 or dropped connections: {five}"
    )


def main() -> None:
    moto_port = free_port()
    redis = OwnRedis(WORK)
    redis.start()
    proxy = FaultyProxy(("127.0.0.1", moto_port))
    env = bench_env(
        REDIS_URL=redis.url,
        **s3_env(proxy.url, BUCKET),
        ANALYSIS_RETRY_AFTER="10",
        ANALYSIS_RECONCILE_SECONDS="5",
        RATE_LIMIT_ENABLED="false",
        PYTHONPATH=str(BASE_DIR),
    )
    print("Preparing database invigil_bench, moto S3, Redis, 2 uvicorn workers, Celery ...")
    prepare_database(env)
    setup_django(env)
    recruiter, people = make_people()
    worker = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1",
        "-B", "-s", str(WORK / "beat-schedule"), "-l", "info", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    try:
        with (
            moto_s3(env, "faults-moto", port=moto_port, bucket=BUCKET),
            process(worker, env, "faults-worker", ready_text=" ready."),
            asgi(env, "faults-asgi", workers=2) as (url, _),
        ):
            asyncio.run(run(url, recruiter, people, proxy, redis))
    finally:
        proxy.close()
        redis.stop()


if __name__ == "__main__":
    main()
