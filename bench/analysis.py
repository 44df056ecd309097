"""Frame analysis benchmark: camera frames analysed per second per core, next to the upload
ingest rate measured in the same run, plus the accuracy on the fixture set.

    .venv/bin/python bench/analysis.py     # no service needed (SQLite, local storage)

One process, one thread (OMP_NUM_THREADS=1): the analysis of a 640×480 JPEG is decode +
statistics + dHash + face detection + comparison with the previous frame (a second decode).
The ingest figure is the upload service in the same process (validation, re-encode, store,
row) — the work a web process does per upload, without HTTP. Prints figures; asserts nothing.
"""

import base64
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import BASE_DIR, embedded_env, setup_django

WORK = Path(tempfile.mkdtemp(prefix="invigil-bench-"))
setup_django(embedded_env(WORK))  # SQLite and local files: no service

from django.core.management import call_command  # noqa: E402

FRAMES = BASE_DIR / "tests" / "fixtures" / "frames"
EXPECTED = {  # fixture → (faces, flags) — the truth the fixture set was built to
    "one_face.jpg": (1, []),
    "one_face_dim.jpg": (1, []),
    "one_face_moved.jpg": (1, []),
    "two_faces.jpg": (2, ["multiple_faces"]),
    "three_faces.jpg": (3, ["multiple_faces"]),
    "no_face_coffee.jpg": (0, ["no_face"]),
    "no_face_cat.jpg": (0, ["no_face"]),
    "covered_black.jpg": (0, ["camera_covered"]),
    "covered_dark_noise.jpg": (0, ["camera_covered"]),
}
SECONDS = 6.0


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from accounts.models import Organization, User
    from applications.models import Job, JobApplication, MonitoringConsent
    from applications.notice import CURRENT as NOTICE
    from common import pipeline
    from monitoring.analysis.services import frame_analyze
    from monitoring.faces.detectors import best_detector
    from monitoring.images.services import monitoring_image_upload
    from monitoring.models import FrameAnalysis, MonitoringImage

    org = Organization.objects.create(name="Bench", slug="bench")
    user = User.objects.create(username="cand", role="candidate")
    app = JobApplication.objects.create(
        job=Job.objects.create(organization=org, title="J"), candidate=user, status="in_progress"
    )
    MonitoringConsent.objects.create(
        application=app, notice_version=NOTICE, accepted_at=timezone.now()
    )
    detector = best_detector()
    print(
        f"Detector: {detector.name} {detector.version}; threads: OMP_NUM_THREADS="
        f"{os.environ['OMP_NUM_THREADS']}, 1 process"
    )

    # Accuracy: each fixture alone (its own application, so no frozen comparison).
    correct = 0
    for name, (faces, flags) in EXPECTED.items():
        other = JobApplication.objects.create(
            job=app.job,
            candidate=User.objects.create(username=f"u-{name}", role="candidate"),
            status="in_progress",
        )
        MonitoringConsent.objects.create(
            application=other, notice_version=NOTICE, accepted_at=timezone.now()
        )
        data = base64.b64encode((FRAMES / name).read_bytes()).decode()
        image = monitoring_image_upload(
            actor=user, application=other, image_type="camera", image_data=data
        ).image
        result, _ = frame_analyze(image_id=image.id)
        ok = result.face_count == faces and result.flags == flags
        correct += ok
        print(
            f"  {name:<24} faces {result.face_count} flags {result.flags or '-'}"
            f"{'' if ok else '   <-- expected ' + str((faces, flags))}"
        )
    print(f"Fixture accuracy: {correct}/{len(EXPECTED)} exact (face count and flags)")

    payloads = [
        base64.b64encode((FRAMES / n).read_bytes()).decode()
        for n in ("one_face.jpg", "one_face_moved.jpg", "two_faces.jpg", "no_face_coffee.jpg")
    ]
    pipeline.enqueue = lambda *args: None  # ingest alone: no inline analysis
    ingested = []
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        result = monitoring_image_upload(
            actor=user,
            application=app,
            image_type="camera",
            image_data=payloads[len(ingested) % len(payloads)],
            client_id=uuid.uuid4(),
        )
        ingested.append(result.image.id)
    ingest_rate = len(ingested) / (time.perf_counter() - start)

    from monitoring.analysis import frames

    def analyse_for(seconds: float) -> float:
        done = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds and done < len(ingested):
            frame_analyze(image_id=ingested[done])  # computes, or recomputes, in full
            done += 1
        return done / (time.perf_counter() - start)

    # Baseline in the same run: the full decode every frame had before (a 640×480 decode,
    # then shrunk), against the JPEG draft-mode decode at the detector's width.
    scaled = frames.load_scaled
    frames.load_scaled = lambda data, width: (frames.load(data), 1.0)
    full_rate = analyse_for(SECONDS)
    frames.load_scaled = scaled
    analysis_rate = analyse_for(SECONDS)
    print(f"\nUpload ingest (service, no HTTP, 1 core): {ingest_rate:.1f} images/s")
    print(f"Camera frame analysis, full decode (before, 1 core): {full_rate:.1f} frames/s")
    print(
        f"Camera frame analysis, draft decode (1 core):        {analysis_rate:.1f} frames/s "
        f"= {analysis_rate / full_rate:.2f}x the full decode, "
        f"{analysis_rate / ingest_rate:.2f}x the ingest rate"
    )
    print(
        f"On 2 cores: ~{2 * analysis_rate:.0f} frames/s  [target >= 67 frames/s on 2 cores,"
        f" keeping up with ingest]"
    )
    print(f"({FrameAnalysis.objects.count()} analyses of {MonitoringImage.objects.count()} images)")


if __name__ == "__main__":
    main()
