"""Liveness and readiness.

`/api/health/` answers as long as the process does (no dependency checked: a load balancer's
liveness probe must not restart a healthy process because Redis blinked). `/api/health/ready/`
checks each dependency with a short time-out and answers 503 naming the failing part, in the
shape of DESIGN.md. django-health-check was considered: its checks are close, but its answer
shape is its own and it has no notion of a part that this mode does not use ("skipped").
"""

import tempfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings
from django.db import connection

CHECK_SECONDS = 2.0


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
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
    import boto3
    from botocore.config import Config

    from monitoring.images.storage import breaker

    if breaker().opened:
        return "down: writes paused after repeated failures (circuit breaker open)"
    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        config=Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1}),
    )
    client.head_bucket(Bucket=options["bucket_name"])
    return "ok"


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


def readiness() -> dict:
    """Every check at once, each bounded by CHECK_SECONDS."""
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = {name: pool.submit(_guarded, check) for name, check in CHECKS.items()}
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=CHECK_SECONDS)
            except FutureTimeout:
                results[name] = f"down: no answer within {CHECK_SECONDS:.0f} s"
    ok = all(value in ("ok", "skipped") for value in results.values())
    return {"status": "ok" if ok else "unavailable", "checks": results}
