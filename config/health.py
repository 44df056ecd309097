"""Liveness and readiness.

`/api/health/` answers as long as the process does (no dependency checked: a load balancer's
liveness probe must not restart a healthy process because Redis blinked). `/api/health/ready/`
checks each dependency with a short time-out and answers 503 naming the failing part, in the
shape of DESIGN.md. django-health-check was considered: its checks are close, but its answer
shape is its own and it has no notion of a part that this mode does not use ("skipped").

Readiness needs no sign-in, so it must cost nothing to ask and tell nothing inside: the checks
run at most once per HEALTH_CACHE_SECONDS per process (callers meanwhile share the last
answer; one caller runs them, the others wait for it), the S3 client is made once, and the
reasons ("down: <error text>") go only to signed-in admins or to a request carrying
`X-Health-Token: <HEALTH_DETAIL_TOKEN>`; everyone else reads "ok", "skipped" or "down".
"""

import hmac
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings
from django.db import connection

CHECK_SECONDS = 2.0
DETAIL_HEADER = "HTTP_X_HEALTH_TOKEN"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's own connection: the thread ends after the check
    return "ok"


def _redis_ping(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _channel_layer() -> str:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if backend.endswith("InMemoryChannelLayer"):
        return "ok"
    return _redis_ping(settings.REDIS_URL)


def _broker() -> str:
    if not settings.REDIS_URL:
        return "skipped"  # the embedded mode runs tasks in-process
    return _redis_ping(settings.CELERY_BROKER_URL)


def _storage() -> str:
    if not settings.AWS_S3_BUCKET_NAME:
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.MEDIA_ROOT, prefix=".ready-"):
            return "ok"  # the media folder is writable
    from monitoring.images.storage import breaker

    if breaker().opened:
        return "down: writes paused after repeated failures (circuit breaker open)"
    options = settings.STORAGES["default"]["OPTIONS"]
    _s3_client(options).head_bucket(Bucket=options["bucket_name"])
    return "ok"


_clients: dict[tuple, object] = {}


def _s3_client(options: dict):
    """One boto3 client per storage configuration and process (clients are thread-safe;
    making one reads the credential chain and costs more than the HEAD it sends)."""
    key = tuple(options.get(name) for name in ("endpoint_url", "region_name", "access_key"))
    if key not in _clients:
        import boto3
        from botocore.config import Config

        _clients[key] = boto3.client(
            "s3",
            endpoint_url=options.get("endpoint_url"),
            region_name=options.get("region_name"),
            aws_access_key_id=options.get("access_key"),
            aws_secret_access_key=options.get("secret_key"),
            config=Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1}),
        )
    return _clients[key]


CHECKS = {
    "database": _database,
    "channel_layer": _channel_layer,
    "broker": _broker,
    "storage": _storage,
}


def _guarded(check) -> str:
    try:
        return check()
    except Exception as exc:  # each failure is reported by name, never raised
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"down: {text[:200]}"


def _run_checks() -> dict[str, str]:
    """Every check at once, each bounded by CHECK_SECONDS."""
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = {name: pool.submit(_guarded, check) for name, check in CHECKS.items()}
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=CHECK_SECONDS)
            except FutureTimeout:
                results[name] = f"down: no answer within {CHECK_SECONDS:.0f} s"
    return results


_lock = threading.Lock()  # one caller runs the checks; the others wait for its answer
_last: tuple[float, dict[str, str]] | None = None  # (monotonic time, results)


def _results() -> dict[str, str]:
    global _last
    with _lock:
        if _last is None or time.monotonic() - _last[0] >= settings.HEALTH_CACHE_SECONDS:
            _last = (time.monotonic(), _run_checks())
        return _last[1]


def forget() -> None:
    """Drop the remembered answer (tests)."""
    global _last
    with _lock:
        _last = None


def may_see_reasons(request) -> bool:
    """Signed-in admins, and callers presenting HEALTH_DETAIL_TOKEN (monitoring systems)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_admin_role:
        return True
    expected = settings.HEALTH_DETAIL_TOKEN
    given = request.META.get(DETAIL_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def readiness(*, detail: bool = False) -> dict:
    """`{"status": "ok"|"unavailable", "checks": {part: "ok"|"skipped"|"down…"}}`; without
    `detail`, a failing part reads just "down" (its error text may name hosts and buckets)."""
    results = _results()
    ok = all(value in ("ok", "skipped") for value in results.values())
    checks = {
        name: value if detail or value in ("ok", "skipped") else "down"
        for name, value in results.items()
    }
    return {"status": "ok" if ok else "unavailable", "checks": checks}
