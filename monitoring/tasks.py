from celery import shared_task

from .services import orphan_objects_sweep


@shared_task(name="monitoring.sweep_orphan_objects", ignore_result=True)
def sweep_orphan_objects() -> int:
    """Scheduled hourly by beat: remove stored objects that no row references."""
    return orphan_objects_sweep()


@shared_task(name="monitoring.analyze_image", acks_late=True, ignore_result=True)
def analyze_image(image_id: int) -> None:
    """Analyse one stored capture (safe to run twice); re-check its successor if needed."""
    from .analysis_service import frame_analyze

    _, recheck = frame_analyze(image_id=image_id)
    if recheck is not None:
        analyze_image.delay(recheck)
