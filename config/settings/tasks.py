"""Background work: Celery with a broker (REDIS_URL), or the embedded runner; the outbox;
the periodic sweeps, scheduled once here."""

from .base import env
from .privacy import ERASURE_RESUME_SECONDS, RETENTION_SWEEP_SECONDS
from .realtime import CAMERA_SWEEP_INTERVAL, REDIS_URL
from .record import INTEGRITY_GAP_SWEEP_SECONDS

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host: kombu warns without one
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A worker process runs one task at a time and keeps one database connection from task to
# task: Celery's Django fixup closes the connection — and with a pool, the whole pool, which
# then opens DATABASE_POOL_MIN new ones — before and after every task unless told to reuse it
# (new connections were a tenth of the analysis worker's CPU, and PostgreSQL's: issue 40).
# It closes it every CELERY_DB_REUSE_MAX tasks; config.celery drops the pool in a worker and
# closes, before a task, a connection that failed or is older than WORKER_CONN_MAX_AGE.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
WORKER_CONN_MAX_AGE = env.int("WORKER_CONN_MAX_AGE", default=300)
# Every task takes seconds: a task a dead worker held comes back after a minute, not an hour
# (acks_late + reject on worker lost); time limits stop one that hangs.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message a killed worker held comes back this long after it was taken: just past the
    # longest a task may run (the hard time limit), so a task still running is never doubled.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5),
    # Look for messages a dead worker held every 5 s (kombu's default: every ~100 s).
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    "socket_timeout": 5,
    "socket_connect_timeout": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# A worker whose broker went away reconnects for as long as it takes (a web process's send
# fails at once: CELERY_TASK_PUBLISH_RETRY below, and common.pipeline's breaker).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tasks running when the broker went away cannot be acknowledged: cancel them, they are
# delivered again (every task is idempotent; Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False  # a broker that is down fails the send at once (logged)
CELERY_TIMEZONE = "UTC"
# The worker's CPU priority (nice, 0–19): batch work yields to the web processes' requests on a
# shared machine (config.celery.lower_priority). 0: as started.
WORKER_NICE = env.int("WORKER_NICE", default=10)
# The embedded mode (no REDIS_URL): one in-process runner thread runs queued tasks off the
# request path and every periodic sweep on its schedule (common.runner; config.asgi starts it).
EMBEDDED_RUNNER = env.bool("EMBEDDED_RUNNER", default=not REDIS_URL)

ANALYSIS_RECONCILE_SECONDS = env.float("ANALYSIS_RECONCILE_SECONDS", default=30.0)
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=10.0)

# Every periodic sweep, once: beat runs them with a broker, the embedded runner without one.
# Each has a command that runs it by hand (`manage.py sweep_stale_streams` …).
# The sweeps a live board needs on time: the web processes run them (common.runner) — and the
# embedded runner at these intervals; beat's entries below are the backstop.
LIVE_SWEEPS = {"cameras.sweep_stale_streams": CAMERA_SWEEP_INTERVAL}
CELERY_BEAT_SCHEDULE = {
    "camera-sweep-stale-streams": {
        "task": "cameras.sweep_stale_streams",
        "schedule": max(CAMERA_SWEEP_INTERVAL, 5.0),
        # A sweep that waited this long behind other tasks is pointless: the next one comes.
        "options": {"expires": max(CAMERA_SWEEP_INTERVAL, 5.0)},
    },
    "monitoring-sweep-snapshot-gaps": {
        "task": "monitoring.sweep_snapshot_gaps",
        "schedule": INTEGRITY_GAP_SWEEP_SECONDS,
    },
    "monitoring-sweep-orphan-objects": {
        "task": "monitoring.sweep_orphan_objects",
        "schedule": 3600.0,
    },
    "monitoring-reconcile-analyses": {
        "task": "monitoring.reconcile_analyses",
        "schedule": ANALYSIS_RECONCILE_SECONDS,
    },
    "monitoring-retention-sweep": {
        "task": "monitoring.retention_sweep",
        "schedule": RETENTION_SWEEP_SECONDS,
    },
    "monitoring-erasure-resume": {
        "task": "monitoring.erasure_resume",
        "schedule": ERASURE_RESUME_SECONDS,
    },
    "common-outbox-sweep": {
        "task": "common.outbox_sweep",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
}
# The outbox (common.pipeline): a message not delivered this long after it was written is sent
# again by the sweep; a delivery holds it this long before another may try.
OUTBOX_RESEND_AFTER = env.int("OUTBOX_RESEND_AFTER", default=20)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
# Seconds to wait before each further attempt of an e-mail that failed; then it is given up.
EMAIL_RETRY_SCHEDULE = [
    int(s) for s in env.list("EMAIL_RETRY_SCHEDULE", default=["60", "300", "1800", "7200"])
]
# A capture still without its analysis this long after it was stored is queued again
# (the broker was down, or the worker died): monitoring.reconcile_analyses.
ANALYSIS_RETRY_AFTER = env.int("ANALYSIS_RETRY_AFTER", default=120)
