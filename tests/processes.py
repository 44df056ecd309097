"""Real server processes for the integration and browser tiers: uvicorn and a Celery worker.

Each runs config.settings_test against the *test* database (so tests must commit their data:
`transactional_db`), with the same REDIS_URL and storage settings as the test process.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from config import server

BASE_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_children() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user, password = db.get("USER", ""), db.get("PASSWORD", "")
    auth = f"{user}:{password}@" if user else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


def child_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL=database_url_for_children(),
        CAMERA_STREAM_TIMEOUT=str(settings.CAMERA_STREAM_TIMEOUT),
        PYTHONUNBUFFERED="1",
        OMP_NUM_THREADS="1",
    )
    env.update(overrides)
    return env


def _stop(proc: subprocess.Popen) -> None:
    """End the whole process group (uvicorn's workers outlive a plain terminate)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def asgi_command(port: int, *, workers: int = 1) -> list[str]:
    """How the tests serve config.asgi: config.server (bin/run's and the benches' definition),
    in the child's environment (its TRUSTED_PROXIES, its WebSocket limit)."""
    return server.command(host="127.0.0.1", port=port, workers=workers, access_log=False)


class ServerURL(str):
    """A server's base URL that also knows its process id (for /proc read counters)."""

    pid: int


@contextmanager
def asgi_server(env: dict[str, str], log_path: Path, *, workers: int = 1):
    """A uvicorn process (group) serving config.asgi on a free loopback port; yields its URL."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            asgi_command(port, workers=workers),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = ServerURL(f"http://127.0.0.1:{port}")
        url.pid = proc.pid
        try:
            _wait_http(url + "/accounts/login/", proc, log_path)
            yield url
        finally:
            _stop(proc)


def _wait_http(url: str, proc: subprocess.Popen, log_path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log_path.read_text()}")


@contextmanager
def celery_worker(env: dict[str, str], log_path: Path, *, beat: bool = False, pool: str = "solo"):
    """A real Celery worker on the REDIS_URL broker (solo pool, or prefork with one child as
    in production); waits until it is ready. With `beat`, the periodic sweeps run in it too."""
    extra = ["-B", "-s", str(log_path.with_suffix(".schedule"))] if beat else []
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                pool,
                *(["-c", "1"] if pool == "prefork" else []),
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                *extra,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while "ready." not in log_path.read_text():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"celery worker did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield proc
        finally:
            _stop(proc)
