"""Follow-up work, queued after commit by the task's registered name.

Tasks import services, never the reverse: a service that needs work done later names the task
here. Looking the task up in the Celery app's registry (rather than importing it) keeps one
import direction and keeps eager mode working (the task then runs in-process, after commit).
"""

import logging

from celery import current_app
from circuitbreaker import CircuitBreaker
from django.db import transaction

from common import runner

logger = logging.getLogger(__name__)

ANALYZE_IMAGE = "monitoring.analyze_image"
ANNOUNCE_SNAPSHOT = "monitoring.announce_snapshot"
INTEGRITY_FRAME = "monitoring.integrity_frame"
INTEGRITY_FRAME_REMOVED = "monitoring.integrity_frame_removed"
REBUILD_INTEGRITY = "monitoring.rebuild_integrity"
RECONCILE_ANALYSES = "monitoring.reconcile_analyses"
ERASURE_RUN = "monitoring.erasure_run"
RETENTION_SWEEP = "monitoring.retention_sweep"

NAMES = (
    ANALYZE_IMAGE,
    ANNOUNCE_SNAPSHOT,
    INTEGRITY_FRAME,
    INTEGRITY_FRAME_REMOVED,
    REBUILD_INTEGRITY,
    RECONCILE_ANALYSES,
    ERASURE_RUN,
    RETENTION_SWEEP,
)


def enqueue(task_name: str, *args) -> None:
    """Queue `task_name(*args)` once the current transaction commits (at once outside one).

    Arguments are ids, never model instances. A broker that cannot be reached is logged; what
    it would have done can be queued again (see the README's reliability section).
    """
    transaction.on_commit(lambda: _send(task_name, args))


# After a send fails, sends pause for a few seconds: a broker that is down must not make every
# upload wait on its connection time-out (the reconciliation sweep queues the analyses again).
# (circuitbreaker, not pybreaker: the latter holds one lock across every call it guards.)
_broker = CircuitBreaker(failure_threshold=1, recovery_timeout=10, name="broker")


def _send(task_name: str, args: tuple) -> None:
    embedded = runner.active()
    if embedded is not None:  # the embedded mode's in-process runner (common.runner)
        embedded.submit(task_name, args)
        return
    task = current_app.tasks[task_name]
    if current_app.conf.task_always_eager:  # no broker at all: the task runs here and now
        try:
            task.delay(*args)
        except Exception:
            logger.exception("%s%s failed", task_name, args)
        return
    if _broker.opened:
        logger.warning(
            "Broker unavailable: %s%s not queued (it will be reconciled)", task_name, args
        )
        return
    try:
        _broker.call(task.delay, *args)
    except Exception:  # the broker is down: the reconciliation sweep queues it again later
        logger.exception("Could not queue %s%s", task_name, args)
