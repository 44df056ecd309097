"""An interview day on one box: N candidates and M reviewers against the production shape.

    .venv/bin/python bench/load.py            # N = 100, 300, 1000; PostgreSQL + Redis on 127.0.0.1
    BENCH_LOAD_N=100 .venv/bin/python bench/load.py

The shape: uvicorn with one worker per core (Redis channel layer), PostgreSQL, a moto S3
server, one Celery worker (analysis and the other tasks). Each simulated candidate turns the
camera on over HTTP, sends a heartbeat over the presence socket every 10 s, uploads a camera
snapshot every `camera_interval` (30 s: their face, BENCH_LOAD_CAMERA) and a screen capture
every `screen_interval` (60 s) as the page does (multipart), and reports a page event now and
then; captures start at a random offset so the load is spread as in a real day. All the
candidates arrive (camera on) within the first 10 s (BENCH_LOAD_ARRIVALS: the worst case,
every interview starting at once). M reviewers keep a live board open. Each level runs for
60 s; then the figures:

- uploads/s accepted, upload p50/p99; heartbeat ack p99; board push p99 (camera on → board);
- the analysis backlog when the run ends (captures not analysed yet) and how long it takes
  to drain;
- errors (5xx, refused, timeouts), and lost = client ids accepted but not stored,
  duplicates = rows stored twice for one client id (both must be 0).

Then, every 5 s of the level (BENCH_TIMELINE=0: not): the whole box's busy cores (/proc/stat,
which also counts the kernel's work no process is charged for) and each group's, beside the
worst latencies that began in that window — so a burst is laid beside what the box was doing.

The baseline of the same run: the trivial view (`/api/health/`) p99 under the same load.
Prints figures; asserts nothing. Everything shares the 2 cores with the load client.
"""

import asyncio
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    CpuSampler,
    Timeline,
    asgi,
    bench_candidates,
    bench_env,
    free_port,
    moto_s3,
    percentile,
    prepare_database,
    process,
    profiled,
    s3_env,
    setup_django,
)

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
# Over how many seconds the candidates arrive (turn the camera on): 10, all of them within the
# first heartbeat — the worst case, an interview day whose every interview starts at once; a
# day of interviews booked for the same hour spreads them over minutes (BENCH_LOAD_ARRIVALS=60).
ARRIVALS = float(os.environ.get("BENCH_LOAD_ARRIVALS", "10"))
LEVELS = [int(n) for n in os.environ.get("BENCH_LOAD_N", "100,300,1000").split(",")]
REVIEWERS = int(os.environ.get("BENCH_LOAD_REVIEWERS", "10"))
PROFILE_DIR = os.environ.get("BENCH_PROFILE")  # py-spy flame graphs (raw) of each process
TIMELINE = os.environ.get("BENCH_TIMELINE", "1") != "0"  # the second-by-second table
CELERY_CONCURRENCY = os.environ.get("BENCH_CELERY_CONCURRENCY", "2")
BUCKET = "invigil-load"
HEARTBEAT_S = 10.0
CAMERA_S = 30.0
SCREEN_S = 60.0


# What the camera shows: a candidate in front of it (BENCH_LOAD_CAMERA=faces, the default: the
# fixture frames of one face, in turn, so that no frame is "frozen" against the one before and
# none is flagged — what most frames of an interview are), or synthetic noise (=noise: every
# frame flagged, no face or frozen by turns — the worst case for the integrity rules, and
# what this bench sent before 2026-12-07).
CAMERA_CONTENT = os.environ.get("BENCH_LOAD_CAMERA", "faces")
FACES = ("one_face.jpg", "one_face_moved.jpg", "one_face_dim.jpg")


def camera_frames() -> list[bytes]:
    if CAMERA_CONTENT == "noise":
        return [frame(i) for i in range(6)]
    folder = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "frames"
    return [(folder / name).read_bytes() for name in FACES]


def frame(seed: int, size=(640, 480)) -> bytes:
    base = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 16 + seed % 5)
    image = Image.merge("RGB", [base, noise, base.rotate(90 + seed)])
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def fixtures(n: int) -> dict:
    """n candidates in progress with consent, their tokens and sessions; the reviewers."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Organization

    User = get_user_model()
    org, _ = Organization.objects.get_or_create(slug="load", defaults={"name": "Load"})
    reviewers = []
    for i in range(REVIEWERS):
        user, _ = User.objects.get_or_create(
            username=f"load-r{i}", defaults={"role": "recruiter", "organization": org}
        )
        client = Client()
        client.force_login(user)
        reviewers.append(client.cookies["sessionid"].value)
    people = []
    candidates = bench_candidates(
        org_slug="load",
        usernames=[f"load-c{i:04d}" for i in range(n)],
        application={"camera_interval": 30, "screen_interval": 60},
        first_name="Cand",
    )
    for user, app, token in candidates:
        client = Client()
        client.force_login(user)
        people.append(
            {
                "token": token,
                "cookie": client.cookies["sessionid"].value,
                "app": app.pk,
                "user_id": user.pk,
            }
        )
    return {"people": people, "reviewers": reviewers}


class Stats:
    def __init__(self):
        self.uploads, self.upload_lat, self.acks, self.pushes, self.health = [], [], [], [], []
        self.camera_on_lat: list[float] = []
        self.errors: dict[str, int] = {}
        self.sent_ids: set[str] = set()
        self.camera_on: dict[int, float] = {}
        self.camera_on_answered: dict[int, float] = {}
        self.marks: dict[str, list[tuple[float, float]]] = {}  # kind -> (began, seconds)

    def mark(self, kind: str, began: float, seconds: float) -> None:
        """One latency at the wall-clock time it began: for the second-by-second timeline."""
        self.marks.setdefault(kind, []).append((began, seconds))

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def candidate(session, url, person, raws, stats: Stats, stop_at: float):
    headers = {"Authorization": f"Token {person['token']}"}
    ws_url = url.replace("http", "ws") + "/ws/camera/presence/"
    await asyncio.sleep(random.uniform(0, ARRIVALS))
    stats.camera_on[person["user_id"]] = time.time()
    began = time.perf_counter()
    try:
        async with session.post(
            url + "/api/camera/status",
            json={"is_active": True, "application_id": person["app"]},
            headers=headers,
        ) as r:
            await r.read()
            stats.camera_on_lat.append(time.perf_counter() - began)
            stats.mark("camera-on", stats.camera_on[person["user_id"]], stats.camera_on_lat[-1])
            stats.camera_on_answered[person["user_id"]] = time.time()
            if r.status >= 300:
                stats.error(f"camera on {r.status}")
    except (TimeoutError, aiohttp.ClientError):
        stats.error("camera on: connection")
        return

    async def heartbeats():
        try:
            async with session.ws_connect(
                ws_url, headers={"Origin": url, "Cookie": f"sessionid={person['cookie']}"}
            ) as ws:
                while time.monotonic() < stop_at:
                    sent = time.perf_counter()
                    await ws.send_json({"type": "heartbeat", "application_id": person["app"]})
                    while True:
                        msg = await asyncio.wait_for(ws.receive(), 10)
                        if msg.type != aiohttp.WSMsgType.TEXT:
                            stats.error("presence socket closed")
                            return
                        if msg.json().get("type") in ("ack", "stale"):
                            break
                    stats.acks.append(time.perf_counter() - sent)
                    stats.mark("ack", time.time() - stats.acks[-1], stats.acks[-1])
                    await asyncio.sleep(max(0.0, HEARTBEAT_S - (time.perf_counter() - sent)))
        except (TimeoutError, aiohttp.ClientError):
            stats.error("presence socket")

    async def captures(kind: str, every: float):
        await asyncio.sleep(random.uniform(0, every))
        pictures = raws[kind]
        turn = random.randrange(len(pictures))
        while time.monotonic() < stop_at:
            turn += 1
            client_id = str(uuid.uuid4())
            form = aiohttp.FormData()
            form.add_field("image_type", kind)
            form.add_field("client_id", client_id)
            form.add_field(
                "image",
                pictures[turn % len(pictures)],
                filename=f"{kind}.jpg",
                content_type="image/jpeg",
            )
            began = time.perf_counter()
            try:
                async with session.post(
                    f"{url}/api/applications/{person['app']}/monitoring-images/",
                    data=form,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=30),
                ) as r:
                    await r.read()
                    if r.status in (200, 201):
                        stats.uploads.append(time.time())
                        stats.sent_ids.add(client_id)
                    else:
                        stats.error(f"upload {r.status}")
            except (TimeoutError, aiohttp.ClientError):
                stats.error("upload: connection/timeout")
            stats.upload_lat.append(time.perf_counter() - began)
            stats.mark("upload", time.time() - stats.upload_lat[-1], stats.upload_lat[-1])
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - began)))

    async def events():
        await asyncio.sleep(random.uniform(5, 40))
        if time.monotonic() < stop_at:
            try:
                async with session.post(
                    f"{url}/api/applications/{person['app']}/events/",
                    json={"type": "window_blur"},
                    headers=headers,
                ) as r:
                    await r.read()
                    if r.status >= 300:
                        stats.error(f"event {r.status}")
            except (TimeoutError, aiohttp.ClientError):
                stats.error("event: connection")

    await asyncio.gather(
        heartbeats(), captures("camera", CAMERA_S), captures("screen", SCREEN_S), events()
    )


async def reviewer(session, url, cookie, stats: Stats, stop_at: float, ready: asyncio.Event):
    ws_url = url.replace("http", "ws") + "/ws/camera/streams/"
    try:
        async with session.ws_connect(
            ws_url, headers={"Origin": url, "Cookie": f"sessionid={cookie}"}
        ) as ws:
            await ws.receive()  # the snapshot
            ready.set()
            while time.monotonic() < stop_at + 2:
                try:
                    msg = await asyncio.wait_for(ws.receive(), 2)
                except TimeoutError:
                    continue
                if msg.type != aiohttp.WSMsgType.TEXT:
                    stats.error("board socket closed")
                    return
                body = msg.json()
                if body.get("type") == "stream.started":
                    began = stats.camera_on.get(body["stream"]["user_id"])
                    if began:
                        stats.pushes.append(time.time() - began)
                        stats.mark("push", began, stats.pushes[-1])
                    answered = stats.camera_on_answered.get(body["stream"]["user_id"])
                    if answered:  # the board's part: after the camera-on request was answered
                        stats.mark("push after answer", answered, time.time() - answered)
    except (TimeoutError, aiohttp.ClientError):
        stats.error("board socket")


async def health(session, url, stats: Stats, stop_at: float):
    while time.monotonic() < stop_at:
        began = time.perf_counter()
        async with session.get(url + "/api/health/") as r:
            await r.read()
        stats.health.append(time.perf_counter() - began)
        await asyncio.sleep(0.5)


# The trivial view asked from a process of its own (plain http.client, one request every
# 0.2 s): the server's own latency, apart from the load client's event loop, which runs every
# candidate's sockets and uploads and can answer late itself.
PROBE = """
import http.client, json, sys, time
host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
stop, times = time.monotonic() + seconds, []
while time.monotonic() < stop:
    began = time.perf_counter()
    try:
        c = http.client.HTTPConnection(host, port, timeout=60)
        c.request("GET", "/api/health/")
        c.getresponse().read()
        c.close()
        times.append((time.time() - (time.perf_counter() - began), time.perf_counter() - began))
    except OSError:
        pass
    time.sleep(0.2)
print(json.dumps(times))
"""


def probe_start(url: str, seconds: float) -> subprocess.Popen:
    address = url.removeprefix("http://").rstrip("/")
    host, port = address.split(":")
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, host, port, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )


def probe_result(probe: subprocess.Popen) -> list[tuple[float, float]]:
    """(began, seconds) of each answer of the separate probe."""
    out, _ = probe.communicate(timeout=120)
    return [tuple(pair) for pair in json.loads(out or "[]")]


def timeline(stats: Stats, probed, seconds_of: Timeline, began: float, step: float = 5.0) -> None:
    """Every `step` seconds of the level: what the box did (busy cores, cores waiting on the
    disk, cores per group) beside the worst latencies that began then."""
    marks = {**stats.marks, "probe": probed}
    print(
        f"      {'t':>5} {'busy':>5} {'iowait':>6} {'web':>5} {'celery':>6} {'pg':>5} "
        f"{'client':>6} {'other':>5} {'steal':>5} | {'probe max':>9} {'upload p99':>10} "
        f"{'ack max':>8} {'cam-on max':>10} {'cam-on n':>8} {'push max':>8} {'after answer':>12}"
    )
    end = max((b for rows in marks.values() for b, _ in rows), default=began)
    t = began
    while t < end:
        busy, iowait, groups = seconds_of.window(t, t + step)

        def worst(kind, p=100, t=t):
            got = [s for b, s in marks.get(kind, []) if t <= b < t + step]
            return (f"{percentile(got, p) * 1000:.0f}ms" if got else "-"), len(got)

        print(
            f"      {t - began:>4.0f}s {busy:>5.2f} {iowait:>6.2f} {groups.get('web', 0):>5.2f} "
            f"{groups.get('celery', 0):>6.2f} {groups.get('postgres', 0):>5.2f} "
            f"{groups.get('client', 0):>6.2f} "
            f"{sum(v for k, v in groups.items() if k.startswith('other:')):>5.2f} "
            f"{groups.get('steal', 0):>5.2f} | {worst('probe')[0]:>9} "
            f"{worst('upload', 99)[0]:>10} {worst('ack')[0]:>8} {worst('camera-on')[0]:>10} "
            f"{worst('camera-on')[1]:>8} {worst('push')[0]:>8} {worst('push after answer')[0]:>12}"
        )
        t += step
    print(
        "      busiest processes outside the shape: "
        + ", ".join(f"{name} {cores:.2f}" for name, cores in seconds_of.others())
    )


async def day(url, data, raws) -> Stats:
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        readies = [asyncio.Event() for _ in data["reviewers"]]
        stop_at = time.monotonic() + SECONDS + 5
        boards = [
            asyncio.create_task(reviewer(session, url, c, stats, stop_at, e))
            for c, e in zip(data["reviewers"], readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in readies)), 30)
        stop_at = time.monotonic() + SECONDS
        await asyncio.gather(
            health(session, url, stats, stop_at),
            *(candidate(session, url, p, raws, stats, stop_at) for p in data["people"]),
        )
        await asyncio.gather(*boards)
    return stats


def outcome(stats: Stats, people: list[dict], since) -> tuple[int, int, int, int]:
    """(rows stored, lost, duplicates, not analysed yet) for this level's applications, of the
    captures this level stored (`since`: the benches reuse their candidates, and a capture of
    an earlier run lost its object with that run's S3 server: it can never be analysed)."""
    from django.db.models import Count

    from monitoring.models import MonitoringImage

    apps = [p["app"] for p in people]
    rows = MonitoringImage.objects.filter(application_id__in=apps, created_at__gte=since)
    stored = {str(c) for c in rows.values_list("client_id", flat=True)}
    duplicates = (
        rows.values("application_id", "client_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    backlog = rows.filter(image_type="camera", analysis__isnull=True).count()
    return rows.count(), len(stats.sent_ids - stored), duplicates, backlog


def drain(people: list[dict], backlog: int, since, limit: float = 120.0) -> str:
    """How long the analysis backlog left by the level takes to reach zero (load stopped)."""
    if not backlog:
        return "0 s (none left)"
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if outcome(Stats(), people, since)[3] == 0:
            return f"{time.monotonic() - began:.0f} s"
        time.sleep(1)
    return f"more than {limit:.0f} s ({outcome(Stats(), people, since)[3]} left)"


def main() -> None:
    moto_port = free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    env = bench_env(
        **s3_env(endpoint, BUCKET),
        EMBEDDED_RUNNER="false",
        DATABASE_POOL_MAX="40",
    )
    print("Preparing database invigil_bench, moto S3 server, Celery worker ...", flush=True)
    prepare_database(env)
    setup_django(env)
    raws = {"camera": camera_frames(), "screen": [frame(i) for i in range(6)]}
    workers = os.cpu_count() or 2
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", CELERY_CONCURRENCY]
    celery += ["-l", "info"]
    with (
        moto_s3(env, "load-moto", port=moto_port, bucket=BUCKET),
        process(celery, env, "load-worker", ready_text="ready."),
        asgi(env, "load-asgi", workers=workers) as (url, _),
    ):
        print(
            f"{workers} uvicorn workers, 1 Celery worker ({CELERY_CONCURRENCY} processes), "
            f"{REVIEWERS} open boards; "
            f"{SECONDS:.0f} s per level; camera every {CAMERA_S:.0f} s, screen every "
            f"{SCREEN_S:.0f} s, heartbeat every {HEARTBEAT_S:.0f} s (presence socket); "
            f"camera frames: {CAMERA_CONTENT}; candidates arrive within {ARRIVALS:.0f} s\n"
        )
        print(
            f"{'N':>5} {'uploads/s':>9} {'(expected)':>10} {'up p50':>7} {'up p99':>7} "
            f"{'ack p99':>8} {'push p99':>9} {'health p99':>10} {'backlog':>8} "
            f"{'errors':>7} {'lost':>5} {'dup':>4}"
        )
        for n in LEVELS:
            from cameras.models import CameraStream

            CameraStream.objects.filter(user__username__startswith="load-c").update(is_active=False)
            data = fixtures(n)
            from django.utils import timezone

            level_began = timezone.now()
            sampler = CpuSampler()
            sampler.start()
            probe = probe_start(url, SECONDS + 5)
            seconds_of, began = Timeline().start(), time.time()
            with profiled(SECONDS, PROFILE_DIR and f"{PROFILE_DIR}/{n}"):
                stats = asyncio.run(day(url, data, raws))
            cores = sampler.stop()
            seconds_of.stop()
            probed = probe_result(probe)
            probe_times = [seconds for _, seconds in probed]
            rate = len(stats.uploads) / SECONDS
            expected = n * (1 / CAMERA_S + 1 / SCREEN_S)
            _, lost, dup, backlog = outcome(stats, data["people"], level_began)
            errors = sum(stats.errors.values())
            print(
                f"{n:>5} {rate:>9.1f} {expected:>10.1f} "
                f"{percentile(stats.upload_lat, 50) * 1000:>5.0f}ms "
                f"{percentile(stats.upload_lat, 99) * 1000:>5.0f}ms "
                f"{percentile(stats.acks, 99) * 1000:>6.0f}ms "
                f"{percentile(stats.pushes, 99) * 1000:>7.0f}ms "
                f"{percentile(stats.health, 99) * 1000:>8.0f}ms "
                f"{backlog:>8} {errors:>7} {lost:>5} {dup:>4}",
                flush=True,
            )
            print(
                f"      camera-on request p50 {percentile(stats.camera_on_lat, 50) * 1000:.0f} ms, "
                f"p99 {percentile(stats.camera_on_lat, 99) * 1000:.0f} ms "
                "(a board push is this request, then the channel layer)"
            )
            print(
                f"      health from a separate probe process (the server alone): p50 "
                f"{percentile(probe_times, 50) * 1000:.0f} ms, p99 "
                f"{percentile(probe_times, 99) * 1000:.0f} ms, max "
                f"{max(probe_times, default=0) * 1000:.0f} ms ({len(probed)} requests); the "
                "load client's own loop adds the rest of the figures above"
            )
            if stats.errors:
                print(f"      errors: {stats.errors}")
            if TIMELINE:
                timeline(stats, probed, seconds_of, began)
            drained = drain(data["people"], backlog, level_began)
            served = {k: v for k, v in cores.items() if k != "client"}
            per_upload = sum(served.values()) * SECONDS / max(1, len(stats.uploads)) * 1000
            print(
                "      cores used: "
                + ", ".join(f"{k} {v:.2f}" for k, v in cores.items())
                + f"; served total {sum(served.values()):.2f} of {os.cpu_count()}"
                + f"; CPU per accepted upload {per_upload:.0f} ms (all server processes)"
                + f"; per candidate {sum(served.values()) / n * 1000:.1f} millicores ("
                + ", ".join(f"{k} {v / n * 1000:.2f}" for k, v in served.items())
                + ")"
                + f"; backlog drained in {drained}",
                flush=True,
            )


if __name__ == "__main__":
    main()
