"""Celery tasks: an interface like a view. Each fetches by id and calls one service.

Services never import this module; they queue these tasks by name through
monitoring.pipeline, after commit.
"""

from celery import shared_task

from .analysis.services import image_analyze
from .images.services import orphan_objects_sweep, snapshot_announce
from .integrity.services import integrity_recompute, snapshot_gaps_sweep


@shared_task(name="monitoring.sweep_orphan_objects", ignore_result=True)
def sweep_orphan_objects() -> int:
    """Scheduled hourly by beat: remove stored objects that no row references."""
    return orphan_objects_sweep()


@shared_task(name="monitoring.analyze_image", acks_late=True, ignore_result=True)
def analyze_image(image_id: int) -> None:
    """Analyse one stored capture (safe to run twice)."""
    image_analyze(image_id=image_id)


@shared_task(name="monitoring.recompute_integrity", ignore_result=True)
def recompute_integrity(application_id: int) -> None:
    integrity_recompute(application_id=application_id)


@shared_task(name="monitoring.sweep_snapshot_gaps", ignore_result=True)
def sweep_snapshot_gaps() -> int:
    """Scheduled by beat: a live camera that sends no snapshot for 2× its interval."""
    return snapshot_gaps_sweep()


@shared_task(name="monitoring.announce_snapshot", ignore_result=True)
def announce_snapshot(image_id: int) -> None:
    snapshot_announce(image_id=image_id)
