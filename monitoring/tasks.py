from celery import shared_task

from .services import orphan_objects_sweep


@shared_task(name="monitoring.sweep_orphan_objects", ignore_result=True)
def sweep_orphan_objects() -> int:
    """Scheduled hourly by beat: remove stored objects that no row references."""
    return orphan_objects_sweep()
