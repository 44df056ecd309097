"""Integrity benchmark: the cost of one new frame at 100 / 1,000 / 10,000 stored frames.

    .venv/bin/python bench/integrity.py            # PostgreSQL on 127.0.0.1 (bin/test starts it)
    .venv/bin/python bench/integrity.py --sqlite   # no service at all

For each size: an interview of that many analysed camera frames 10 s apart (a sustained
no-face episode every 50 frames, page events, the camera on), then 30 new frames appended one
at a time, each followed by the integrity update the analysis task runs
(`integrity_frame_changed`). The baseline, in the same run, is what every frame used to cost:
recomputing the whole interview (`integrity_rebuild`). Prints figures; asserts nothing.
Target: the 10,000-frame figure ≤ 2× the 100-frame figure.
"""

import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import bench_env, embedded_env, prepare_database, setup_django

SQLITE = "--sqlite" in sys.argv
if SQLITE:
    setup_django(embedded_env(Path(tempfile.mkdtemp(prefix="invigil-bench-"))))
else:
    env = bench_env()
    env.pop("AWS_S3_BUCKET_NAME", None)
    prepare_database(env)
    setup_django(env)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = (100, 1_000, 10_000)
NEW_FRAMES = 30


def interview(size: int):
    from accounts.models import Organization, User
    from applications.models import Job, JobApplication
    from cameras.models import CameraEvent
    from monitoring.models import FrameAnalysis, MonitoringEvent, MonitoringImage

    tag = uuid.uuid4().hex[:8]
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    user = User.objects.create(username=f"cand-{tag}", role="candidate")
    t0 = timezone.now() - timedelta(seconds=10 * (size + NEW_FRAMES) + 60)
    app = JobApplication.objects.create(
        job=Job.objects.create(organization=org, title="J"),
        candidate=user,
        status="in_progress",
        started_at=t0,
        camera_interval=10,
    )
    CameraEvent.objects.create(user=user, application=app, kind="on", occurred_at=t0)
    images = MonitoringImage.objects.bulk_create(
        MonitoringImage(
            application=app,
            image_type="camera",
            file=f"monitoring/{app.id}/camera/{i}-{uuid.uuid4()}.jpg",
            captured_at=t0 + timedelta(seconds=10 * i),
            received_at=t0 + timedelta(seconds=10 * i + 1),
            uploaded_by=user,
            client_id=uuid.uuid4(),
            width=640,
            height=480,
            byte_size=1,
            sha256="0" * 64,
        )
        for i in range(size)
    )
    FrameAnalysis.objects.bulk_create(
        FrameAnalysis(image=image, face_count=1, no_face=(i % 50) in (10, 11, 12))
        for i, image in enumerate(images)
    )
    MonitoringEvent.objects.bulk_create(
        MonitoringEvent(
            application=app,
            type="tab_hidden" if i % 2 == 0 else "tab_visible",
            occurred_at=t0 + timedelta(seconds=200 * i + 5),
            received_at=t0 + timedelta(seconds=200 * i + 6),
            counted_at=t0 + timedelta(seconds=200 * i + 5),
            sender=user,
        )
        for i in range(size // 20)
    )
    return app, t0


def append(app, t0, index: int):
    from monitoring.models import FrameAnalysis, MonitoringImage

    at = t0 + timedelta(seconds=10 * index)
    image = MonitoringImage.objects.create(
        application=app,
        image_type="camera",
        file=f"monitoring/{app.id}/camera/{index}-{uuid.uuid4()}.jpg",
        captured_at=at,
        received_at=at + timedelta(seconds=1),
        uploaded_by_id=app.candidate_id,
        client_id=uuid.uuid4(),
        width=640,
        height=480,
        byte_size=1,
        sha256="0" * 64,
    )
    FrameAnalysis.objects.create(image=image, face_count=1, no_face=index % 7 == 0)
    return image


def measure(size: int) -> dict:
    from monitoring.integrity.services import integrity_frame_changed, integrity_rebuild

    app, t0 = interview(size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
            cursor.execute("ANALYZE")
    integrity_rebuild(application_id=app.id)
    incremental = []
    for n in range(NEW_FRAMES):
        image = append(app, t0, size + n)
        start = time.perf_counter()
        integrity_frame_changed(image_id=image.id)
        incremental.append((time.perf_counter() - start) * 1000)
    full = []
    for _ in range(3):
        start = time.perf_counter()
        integrity_rebuild(application_id=app.id)
        full.append((time.perf_counter() - start) * 1000)
    return {
        "incremental": statistics.median(incremental),
        "incremental_p90": sorted(incremental)[int(0.9 * len(incremental)) - 1],
        "full": statistics.median(full),
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor}; {NEW_FRAMES} frames appended per size, one at a time")
    print(f"{'stored frames':>14} | {'per new frame (median, p90)':>28} | {'full recompute':>15}")
    results = {}
    for size in SIZES:
        results[size] = r = measure(size)
        print(
            f"{size:>14,} | {r['incremental']:>12.2f} ms, {r['incremental_p90']:>8.2f} ms"
            f" | {r['full']:>12.1f} ms"
        )
    ratio = results[SIZES[-1]]["incremental"] / results[SIZES[0]]["incremental"]
    print(
        f"Ratio {SIZES[-1]:,} / {SIZES[0]} frames, per new frame: {ratio:.2f}× (target ≤ 2×); "
        f"the full recompute it replaces: "
        f"{results[SIZES[-1]]['full'] / results[SIZES[0]]['full']:.0f}×"
    )


if __name__ == "__main__":
    main()
