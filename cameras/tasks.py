from celery import shared_task

from .services import camera_streams_end_stale


@shared_task(name="cameras.sweep_stale_streams", ignore_result=True)
def sweep_stale_streams() -> int:
    """Scheduled by beat every CAMERA_SWEEP_INTERVAL seconds. Idempotent."""
    return camera_streams_end_stale()
