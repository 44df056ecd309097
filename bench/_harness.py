"""Shared set-up for the benchmarks: a PostgreSQL database of their own, Redis, real processes.

Nothing here is a test: the scripts print figures. They need PostgreSQL and Redis on
127.0.0.1 (bin/test starts both) and run everything on loopback.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://invigil:invigil@127.0.0.1:5432/invigil")
BENCH_DB = os.environ.get("BENCH_DATABASE", "invigil_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def bench_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + BENCH_DB,
        REDIS_URL=REDIS_URL,
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_ENABLED="false",  # one loopback address drives every simulated client
        PYTHONUNBUFFERED="1",
        OMP_NUM_THREADS="1",
    )
    env.update(overrides)
    return env


def embedded_env(work: Path, **overrides: str) -> dict[str, str]:
    """What `bin/run` alone is (no service): SQLite and local files under `work`, the
    in-memory channel layer, the embedded runner; production settings otherwise."""
    env = dict(os.environ)
    for key in ("REDIS_URL", "DATABASE_URL", "AWS_S3_BUCKET_NAME"):
        env.pop(key, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        LOG_LEVEL="WARNING",
        RATE_LIMIT_ENABLED="false",  # one loopback address drives every simulated client
        OMP_NUM_THREADS="1",
    )
    env.update(overrides)
    return env


def embedded_shell(env: dict[str, str], script: str, marker: str) -> str:
    """Migrate, run `script` in `manage.py shell`, and return what it printed after `marker`."""
    for args in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", script]):
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return out.stdout.split(marker, 1)[1]


def prepare_database(env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(
        PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def process(
    args: list[str],
    env: dict[str, str],
    name: str,
    ready_url: str | None = None,
    ready_text: str | None = None,
):
    log_path = BASE_DIR / "var" / f"bench-{name}.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: workers end with it
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{log_path.read_text()}")
                if ready_url:
                    try:
                        urllib.request.urlopen(ready_url, timeout=1)  # noqa: S310
                        break
                    except OSError:
                        pass
                if ready_text and ready_text in log_path.read_text():
                    break
                time.sleep(0.2)
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@contextmanager
def asgi(env: dict[str, str], name: str = "asgi", *, workers: int = 1):
    """uvicorn serving config.asgi, as bin/run does; yields (url, process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--lifespan",
        "on",
        "--no-access-log",
        "--ws-max-size",
        str(4 * 64 * 1024),
        # As bin/run: forwarded headers believed only from TRUSTED_PROXIES (empty: nobody).
        "--forwarded-allow-ips",
        env.get("TRUSTED_PROXIES", ""),
    ]
    with process(args, env, name, ready_url=url + "/api/health/") as proc:
        yield url, proc


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
