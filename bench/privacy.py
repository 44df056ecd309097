"""Export benchmark: the candidate's zip (GET /api/applications/{id}/export.zip) is streamed,
so the server's memory must not grow with the number of captures.

    .venv/bin/python bench/privacy.py     # no service needed (embedded mode, local files)

For 10 and for 1,000 stored captures (the fixture frames, 20–60 KB each, as a real interview's
camera snapshots), a fresh uvicorn process serves one download; the figure is that process's
peak resident memory (VmHWM from /proc) before and after the download, the archive's size and
the throughput. Baseline: the same process's peak after start-up and one warm-up export of
a 100-capture interview (first use: imports, the export thread, database connections, and
the allocator's arenas: a process's first large download costs ~11 MB once, whatever its
size).
BENCH_SIZES=10,300,1000,3000 shows the slope.
Target: the two peaks within 10 MB of each other. Prints figures; asserts nothing.
"""

import json
import os
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import asgi, embedded_env, embedded_shell

WORK = Path(tempfile.mkdtemp(prefix="invigil-privacy-"))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "10,1000").split(","))
WARM = 100  # the warm-up export's size
SETUP = """
import json, uuid
from datetime import timedelta
from pathlib import Path
from django.utils import timezone
from rest_framework.authtoken.models import Token
from applications.notice import CURRENT as NOTICE
from accounts.models import Organization, User
from applications.models import Job, JobApplication, MonitoringConsent
from monitoring.images.storage import storage_key, store
from monitoring.models import MonitoringImage

frames = sorted(Path("tests/fixtures/frames").glob("*.jpg"))
blobs = [f.read_bytes() for f in frames]
org = Organization.objects.create(name="Export", slug="export")
job = Job.objects.create(organization=org, title="Engineer")
start = timezone.now() - timedelta(hours=3)
out = {}
for size in SIZES:
    user = User.objects.create(username=f"cand{size}", role="candidate", first_name="Cand")
    app = JobApplication.objects.create(
        job=job, candidate=user, status="completed", started_at=start, completed_at=timezone.now()
    )
    MonitoringConsent.objects.create(application=app, notice_version=NOTICE, accepted_at=start)
    rows, total = [], 0
    for i in range(size):
        at = start + timedelta(seconds=10 * i)
        kind = "camera" if i % 3 else "screen"
        data = blobs[i % len(blobs)]
        key = store(storage_key(application_id=app.pk, image_type=kind, captured_at=at), data)
        total += len(data)
        rows.append(MonitoringImage(
            application=app, image_type=kind, file=key, captured_at=at, received_at=at,
            uploaded_by=user, client_id=uuid.uuid4(), width=640, height=480,
            byte_size=len(data), sha256="0" * 64,
        ))
    MonitoringImage.objects.bulk_create(rows, batch_size=500)
    out[size] = {"token": Token.objects.create(user=user).key, "app": app.pk, "bytes": total}
print("SETUP" + json.dumps(out))
"""


def env() -> dict[str, str]:
    return embedded_env(WORK)


def prepare() -> dict:
    setup = f"SIZES = {(WARM, *SIZES)!r}\n" + SETUP
    return {int(k): v for k, v in json.loads(embedded_shell(env(), setup, "SETUP")).items()}


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def download(url: str, token: str) -> tuple[int, float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})  # noqa: S310
    began = time.perf_counter()
    path = WORK / "export.zip"
    size = 0
    with urllib.request.urlopen(request, timeout=600) as response, open(path, "wb") as out:  # noqa: S310
        while chunk := response.read(256 * 1024):
            size += len(chunk)
            out.write(chunk)
    elapsed = time.perf_counter() - began
    with zipfile.ZipFile(path) as archive:
        captures = sum(1 for n in archive.namelist() if n.startswith("captures/"))
    return size, elapsed, captures


def main() -> None:
    people = prepare()
    print("Export zip: one fresh uvicorn process per size, embedded mode (SQLite, local files)")
    peaks = {}
    for size in SIZES:
        person = people[size]
        with asgi(env(), f"privacy-{size}") as (url, proc):
            warm = people[WARM]  # first use: imports, threads, connections, allocator arenas
            download(f"{url}/api/applications/{warm['app']}/export.zip", warm["token"])
            baseline = peak_mb(proc.pid)
            got, elapsed, captures = download(
                f"{url}/api/applications/{person['app']}/export.zip", person["token"]
            )
            peaks[size] = peak_mb(proc.pid)
        print(
            f"{size:>5} captures ({person['bytes'] / 1e6:6.1f} MB stored): archive "
            f"{got / 1e6:6.1f} MB, {captures} captures, {got / 1e6 / elapsed:6.1f} MB/s; "
            f"server peak {baseline:6.1f} MB after a warm-up export → "
            f"{peaks[size]:6.1f} MB after the download"
        )
    spread = peaks[SIZES[-1]] - peaks[SIZES[0]]
    print(
        f"peak memory, {SIZES[-1]} vs {SIZES[0]} captures: {spread:+.1f} MB "
        f"(target: within 10 MB) — {'met' if abs(spread) <= 10 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
