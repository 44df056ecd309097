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

    result, recheck = frame_analyze(image_id=image_id)
    if recheck is not None:
        analyze_image.delay(recheck)
    if result is not None:
        recompute_integrity.delay(result.image.application_id)


@shared_task(name="monitoring.recompute_integrity", ignore_result=True)
def recompute_integrity(application_id: int) -> None:
    from .integrity_service import integrity_recompute

    integrity_recompute(application_id=application_id)


@shared_task(name="monitoring.sweep_snapshot_gaps", ignore_result=True)
def sweep_snapshot_gaps() -> int:
    """Scheduled by beat: a live camera that sends no snapshot for 2× its interval."""
    from .integrity_service import snapshot_gaps_sweep

    return snapshot_gaps_sweep()


@shared_task(name="monitoring.announce_snapshot", ignore_result=True)
def announce_snapshot(image_id: int) -> None:
    from .services import snapshot_announce

    snapshot_announce(image_id=image_id)
