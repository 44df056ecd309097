"""What lower apps tell integrity through signals (they never import monitoring)."""

from django.dispatch import receiver

from applications.models import JobApplication
from applications.signals import application_status_changed
from cameras.signals import camera_event_recorded
from monitoring import pipeline

from .services import integrity_camera_changed


@receiver(camera_event_recorded, dispatch_uid="monitoring.integrity.camera_event")
def on_camera_event(sender, *, event_id: int, application_id: int | None, **kwargs) -> None:
    """Camera on, off or silent: the interview's camera-off episodes and gaps around it —
    at once (the signal comes after commit), so no broker outage can lose it."""
    if application_id is not None:
        integrity_camera_changed(camera_event_id=event_id)


@receiver(application_status_changed, dispatch_uid="monitoring.integrity.status")
def on_status_changed(sender, *, application, new, **kwargs) -> None:
    """Started, finished, withdrawn: episodes that were open close (or may now open)."""
    if new != JobApplication.Status.INVITED:
        pipeline.enqueue(pipeline.REBUILD_INTEGRITY, application.pk)
