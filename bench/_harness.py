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

from config import server  # noqa: E402 - the project's root is on the path from here on

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://invigil:invigil@127.0.0.1:5432/invigil")
BENCH_DB = os.environ.get("BENCH_DATABASE", "invigil_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _production_env(**values: str) -> dict[str, str]:
    """Production settings on loopback over plain HTTP, quiet, no limits (one loopback
    address drives every simulated client), one thread per numeric library."""
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
        LOG_LEVEL="WARNING",
        RATE_LIMIT_ENABLED="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
        OMP_NUM_THREADS="1",
    )
    env.update(values)
    return env


def bench_env(**overrides: str) -> dict[str, str]:
    """The production shape: PostgreSQL (a database of the benches' own) and Redis."""
    shape = {
        "DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + BENCH_DB,
        "REDIS_URL": REDIS_URL,
        "CONN_MAX_AGE": "60",
    }
    return _production_env(**{**shape, **overrides})


def embedded_env(work: Path, **overrides: str) -> dict[str, str]:
    """What `bin/run` alone is (no service): SQLite and local files under `work`, the
    in-memory channel layer, the embedded runner; production settings otherwise."""
    local = {
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
    }
    env = _production_env(**{**local, **overrides})
    for key in ("REDIS_URL", "AWS_S3_BUCKET_NAME"):
        if key not in overrides:
            env.pop(key, None)
    return env


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    """Settings that store images in `bucket` on an S3 endpoint of the bench's own."""
    return {
        "AWS_S3_BUCKET_NAME": bucket,
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
    }


@contextmanager
def moto_s3(env: dict[str, str], name: str, *, port: int, bucket: str):
    """A moto S3 server in a process of its own on `port`, with `bucket` made; yields its
    endpoint."""
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with process(command, env, name, ready_url=endpoint + "/moto-api/"):
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        ).create_bucket(Bucket=bucket)
        yield endpoint


def bench_candidates(
    *, org_slug: str, usernames: list[str], application: dict | None = None, **user_fields
) -> list[tuple]:
    """Candidates of an organization's job, each with an interview in progress, consent given
    and an API token (made once, found again on the next run); [(user, application, token)]."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Organization, User
    from applications.models import Job, JobApplication, MonitoringConsent
    from applications.notice import CURRENT as NOTICE

    org, _ = Organization.objects.get_or_create(slug=org_slug, defaults={"name": org_slug.title()})
    job, _ = Job.objects.get_or_create(organization=org, title=f"{org.name} job")
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    people = []
    for username in usernames:
        user = existing.get(username) or User.objects.create(
            username=username, role=User.Role.CANDIDATE, **user_fields
        )
        app, _ = JobApplication.objects.get_or_create(
            job=job,
            candidate=user,
            defaults={"status": JobApplication.Status.IN_PROGRESS, **(application or {})},
        )
        # Anything recorded needs an interview in progress with consent (409 otherwise).
        if not MonitoringConsent.objects.active().filter(application=app).exists():
            MonitoringConsent.objects.create(
                application=app, notice_version=NOTICE, accepted_at=timezone.now()
            )
        people.append((user, app, Token.objects.get_or_create(user=user)[0].key))
    return people


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
        # A new database per run: rows of an earlier run point at objects its S3 server took
        # with it, and the reconciliation sweeps would keep the worker busy retrying them.
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
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
    """The server as bin/run starts it (config.server: uvicorn serving config.asgi, in this
    environment's settings); yields (url, process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = server.command(host="127.0.0.1", port=port, workers=workers, access_log=False)
    with process(args, env, name, ready_url=url + "/api/health/") as proc:
        yield url, proc


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- CPU per process group -------------------------------------------------------------------


def _group_of(proc) -> str | None:
    """Which part of the shape a process is: web, celery, s3 (moto), postgres (this bench's
    database only), redis, or None (not ours)."""
    try:
        cmd = " ".join(proc.cmdline())
        name = proc.name()
    except Exception:  # gone, or not ours to read
        return None
    if "moto.server" in cmd:
        return "s3"
    if "celery" in cmd and "worker" in cmd:
        return "celery"
    if "config.server" in cmd or "uvicorn" in cmd or "multiprocessing.spawn" in cmd:
        return "web"
    if name.startswith("postgres") and "invigil_bench" in cmd:
        return "postgres"
    if name.startswith("redis-server"):
        return "redis"
    return None


class CpuSampler:
    """CPU seconds spent per process group between start() and stop(): the bench's own children
    (web, celery, s3), PostgreSQL's backends for this bench's database and the backends that
    ended meanwhile (any database's: nothing else should run beside a bench), every
    redis-server process (shared with anything else using it), and this client."""

    GROUPS = ("web", "celery", "s3", "postgres", "redis", "client")

    def __init__(self) -> None:
        import psutil

        self.psutil = psutil
        self.me = psutil.Process()

    def times(self) -> dict[int, tuple[str, float]]:
        out: dict[int, tuple[str, float]] = {}
        mine = {p.pid for p in self.me.children(recursive=True)}
        for proc in self.psutil.process_iter():
            with contextlib.suppress(Exception):
                if proc.name().startswith("postgres") and " -D " in " ".join(proc.cmdline()):
                    # The postmaster: the CPU of the backends that ended meanwhile (a connection
                    # per task or request) is counted in its reaped children's times, and no
                    # longer in any process to sample (negative key: not a process of its own).
                    t = proc.cpu_times()
                    out[-proc.pid] = ("postgres", t.children_user + t.children_system)
            group = "client" if proc.pid == self.me.pid else _group_of(proc)
            if group is None or (group in ("web", "celery", "s3") and proc.pid not in mine):
                continue
            with contextlib.suppress(Exception):  # it ended meanwhile
                t = proc.cpu_times()
                out[proc.pid] = (group, t.user + t.system)
        return out

    def start(self) -> None:
        self.began, self.at = self.times(), time.monotonic()

    def stop(self) -> dict[str, float]:
        """Cores used per group (CPU seconds / wall seconds) since start()."""
        ended, wall = self.times(), time.monotonic() - self.at
        used = dict.fromkeys(self.GROUPS, 0.0)
        for pid, (group, cpu) in ended.items():
            used[group] += cpu - self.began.get(pid, (group, 0.0))[1]
        return {group: seconds / wall for group, seconds in used.items()}


class Timeline:
    """Second by second, while a load runs: the whole box's CPU (busy cores, cores waiting on
    the disk) and each process group's cores — so that a burst of latency can be laid beside
    what the machine was doing at that moment, not only the average of the run."""

    def __init__(self, every: float = 1.0) -> None:
        import threading

        import psutil

        self.psutil, self.every = psutil, every
        self.groups = CpuSampler()
        self.rows: list[tuple[float, float, float, dict[str, float]]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _everyone(self) -> dict[int, tuple[str, float]]:
        """CPU seconds of every process on the box: its group, or its name for the rest."""
        grouped = self.groups.times()
        for proc in self.psutil.process_iter(["name", "cpu_times"]):
            if proc.pid not in grouped and proc.info["cpu_times"] is not None:
                t = proc.info["cpu_times"]
                grouped[proc.pid] = (f"other:{proc.info['name']}", t.user + t.system)
        return grouped

    def _run(self) -> None:
        last_box, last_cpu, last_at = self.psutil.cpu_times(), self._everyone(), time.time()
        while not self.done.wait(self.every):
            box, cpu, at = self.psutil.cpu_times(), self._everyone(), time.time()
            wall = at - last_at
            spent = {k: getattr(box, k) - getattr(last_box, k) for k in box._fields}
            total = sum(v for k, v in spent.items() if not k.startswith("guest")) / wall
            idle, iowait = spent["idle"] / wall, spent["iowait"] / wall
            used = dict.fromkeys(CpuSampler.GROUPS, 0.0)
            used["steal"] = spent.get("steal", 0.0) / wall
            for pid, (group, seconds) in cpu.items():
                used[group] = (
                    used.get(group, 0.0) + (seconds - last_cpu.get(pid, (group, seconds))[1]) / wall
                )
            self.rows.append((at, total - idle - iowait, iowait, used))
            last_box, last_cpu, last_at = box, cpu, at

    def others(self, top: int = 4) -> list[tuple[str, float]]:
        """The processes outside the shape that used the most cores over the whole run."""
        spent: dict[str, float] = {}
        for _, _, _, used in self.rows:
            for k, v in used.items():
                if k.startswith("other:"):
                    spent[k[6:]] = spent.get(k[6:], 0.0) + v / max(1, len(self.rows))
        return sorted(spent.items(), key=lambda kv: -kv[1])[:top]

    def start(self) -> "Timeline":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def window(self, began: float, ended: float) -> tuple[float, float, dict[str, float]]:
        """Mean busy cores, iowait cores and cores per group over [began, ended)."""
        rows = [r for r in self.rows if began <= r[0] < ended] or [(0, 0.0, 0.0, {})]
        groups: dict[str, float] = {}
        for _, _, _, used in rows:
            for k, v in used.items():
                groups[k] = groups.get(k, 0.0) + v / len(rows)
        busy = sum(r[1] for r in rows) / len(rows)
        return busy, sum(r[2] for r in rows) / len(rows), groups


@contextmanager
def profiled(seconds: float, out_dir: str | None):
    """With out_dir: py-spy records (raw, idle threads too) every web and Celery process of
    this bench for `seconds`; a flame graph per process, to read where requests wait."""
    if not out_dir:
        yield
        return
    import psutil

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    spies = []
    for proc in psutil.Process().children(recursive=True):
        group = _group_of(proc)
        if group in ("web", "celery"):
            spies.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        *(["--idle"] if os.environ.get("BENCH_PROFILE_IDLE", "1") != "0" else []),
                        "--nonblocking",
                        "-r",
                        "50",
                        "-f",
                        "raw",
                        "-d",
                        str(int(seconds)),
                        "-p",
                        str(proc.pid),
                        "-o",
                        f"{out_dir}/{group}-{proc.pid}.txt",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
    try:
        yield
    finally:
        for spy in spies:
            try:
                spy.wait(timeout=15)
            except subprocess.TimeoutExpired:
                spy.kill()
