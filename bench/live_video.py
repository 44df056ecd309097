"""Live video benchmark: how soon a reviewer sees the candidate after "Watch live", and what
watching costs the candidate's browser.

    .venv/bin/python bench/live_video.py     # embedded mode; Chromium at /usr/bin/chromium

One uvicorn process (embedded mode: SQLite, in-memory channel layer). The candidate runs in a
Chromium of its own with the fake camera; the reviewers in another Chromium, on loopback with
no ICE server. Figures:
- time from the "Watch live" click to the first decoded frame (the <video> has a width),
  p50 and max over 10 runs;
- CPU of the candidate's whole browser (every process of it, from /proc) over 10 s with its
  camera on and nobody watching (the baseline), then while one and while three reviewers
  watch. Prints figures; asserts nothing.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import asgi, embedded_env, embedded_shell

WORK = Path(tempfile.mkdtemp(prefix="invigil-live-"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
RUNS = 10
CPU_SECONDS = 10.0
PASSWORD = "bench-password-1"
SETUP = f"""
from django.utils import timezone
from accounts.models import Organization, User
from applications.models import Job, JobApplication
org = Organization.objects.create(name="Live", slug="live")
for name in ("rita", "ray", "rob"):
    u = User(username=name, first_name=name.title(), last_name="Reviewer", role="recruiter",
             organization=org)
    u.set_password("{PASSWORD}"); u.save()
john = User(username="john", first_name="John", last_name="Carter", role="candidate")
john.set_password("{PASSWORD}"); john.save()
job = Job.objects.create(organization=org, title="Engineer")
app = JobApplication.objects.create(job=job, candidate=john, camera_interval=600,
                                    screen_monitoring=False,
                                    # checked already: the bench opens the interview page
                                    system_check={{"passed": True, "steps": [],
                                                  "at": "2026-12-06T09:00:00+00:00"}})
print("SETUP", app.pk)
"""


def env() -> dict[str, str]:
    return embedded_env(
        WORK,
        DEBUG="true",  # the pages' static files straight from the source folders
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CAMERA_HEARTBEAT_SECONDS="2",
    )


def prepare() -> int:
    return int(embedded_shell(env(), SETUP, "SETUP").split()[0])


def login(page, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and all its descendants, in seconds (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state, ppid, …, utime (14th field of stat), stime (15th)
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, (parent, _) in stats.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return sum(stats[p][1] for p in family if p in stats)


def candidate_browser_pid() -> int:
    """The candidate's Chromium: the one main process launched with the fake camera (the
    reviewers' browser has no camera flags)."""
    out = subprocess.run(
        ["pgrep", "-f", "--", "--use-fake-device-for-media-stream"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    mains = []
    for pid in map(int, out):
        if b"--type=" not in Path(f"/proc/{pid}/cmdline").read_bytes():  # not a child process
            mains.append(pid)
    return max(mains)  # the most recent launch


def load(pid: int) -> float:
    before, began = cpu_seconds(pid), time.monotonic()
    time.sleep(CPU_SECONDS)
    return (cpu_seconds(pid) - before) / (time.monotonic() - began)


def main() -> None:
    app_id = prepare()
    with asgi(env(), "live-video") as (url, _), sync_playwright() as pw:
        reviewers_browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS[:6])
        candidate_browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pid = candidate_browser_pid()
        john = candidate_browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        login(john, url, "john")
        john.goto(f"{url}/interview/{app_id}/")
        john.get_by_role("button", name="I agree — continue").click()
        john.get_by_role("button", name="Start interview").click()
        john.get_by_role("button", name="Turn camera on").click()
        john.locator("[data-camera-badge]").wait_for(state="visible")
        time.sleep(2)

        boards = []
        for name in ("rita", "ray", "rob"):
            board = reviewers_browser.new_context().new_page()
            login(board, url, name)
            board.goto(url + "/console/live/")
            board.locator(".stream-card").wait_for(state="visible", timeout=20_000)
            boards.append(board)

        def watch(board) -> float:
            began = time.perf_counter()
            board.get_by_role("button", name="Watch live").click()
            board.wait_for_function(
                "() => { const v = document.querySelector('[data-live-player] video');"
                " return v && v.videoWidth > 0; }",
                timeout=20_000,
            )
            return time.perf_counter() - began

        times = []
        for _ in range(RUNS):
            times.append(watch(boards[0]))
            boards[0].get_by_role("button", name="Stop watching").click()
            john.locator("[data-watch-notice]").wait_for(state="hidden")
            time.sleep(0.3)
        print(
            f"'Watch live' click → first decoded frame, {RUNS} runs: "
            f"p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )

        idle = load(pid)
        watch(boards[0])
        one = load(pid)
        watch(boards[1])
        watch(boards[2])
        john.get_by_text("are watching your camera live").wait_for()
        three = load(pid)
        print(
            f"candidate browser CPU (all its processes, {CPU_SECONDS:.0f} s each): camera on, "
            f"nobody watching {idle * 100:.0f}% of a core (baseline); 1 reviewer "
            f"{one * 100:.0f}% ({one / idle:.2f}×); 3 reviewers {three * 100:.0f}% "
            f"({three / idle:.2f}×)"
        )
        candidate_browser.close()
        reviewers_browser.close()


if __name__ == "__main__":
    main()
