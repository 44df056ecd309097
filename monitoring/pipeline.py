"""Follow-up work, queued after commit by the task's registered name.

Tasks import services, never the reverse: a service that needs work done later names the task
here. Looking the task up in the Celery app's registry (rather than importing it) keeps one
import direction and keeps eager mode working (the task then runs in-process, after commit).
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

ANALYZE_IMAGE = "monitoring.analyze_image"
ANNOUNCE_SNAPSHOT = "monitoring.announce_snapshot"
INTEGRITY_FRAME = "monitoring.integrity_frame"
INTEGRITY_FRAME_REMOVED = "monitoring.integrity_frame_removed"
INTEGRITY_EVENT = "monitoring.integrity_event"
INTEGRITY_CAMERA = "monitoring.integrity_camera"
REBUILD_INTEGRITY = "monitoring.rebuild_integrity"

NAMES = (
    ANALYZE_IMAGE,
    ANNOUNCE_SNAPSHOT,
    INTEGRITY_FRAME,
    INTEGRITY_FRAME_REMOVED,
    INTEGRITY_EVENT,
    INTEGRITY_CAMERA,
    REBUILD_INTEGRITY,
)


def enqueue(task_name: str, *args) -> None:
    """Queue `task_name(*args)` once the current transaction commits (at once outside one).

    Arguments are ids, never model instances. A broker that cannot be reached is logged; what
    it would have done can be queued again (see the README's reliability section).
    """
    transaction.on_commit(lambda: _send(task_name, args))


def _send(task_name: str, args: tuple) -> None:
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception:
        logger.exception("Could not queue %s%s", task_name, args)
