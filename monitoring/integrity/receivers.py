"""What lower apps tell integrity through signals (they never import monitoring)."""

from django.dispatch import receiver

from applications.models import JobApplication
from applications.signals import application_status_changed, consent_recorded
from cameras.signals import camera_event_recorded
from common import pipeline
from monitoring import followups


@receiver(camera_event_recorded, dispatch_uid="monitoring.integrity.camera_event")
def on_camera_event(sender, *, event_id: int, application_id: int | None, **kwargs) -> None:
    """Camera on, off or silent: the interview's camera-off episodes and gaps around it, after
    the commit (in this process when no broker takes it: nothing would derive it again)."""
    if application_id is not None:
        pipeline.enqueue(followups.INTEGRITY_CAMERA, event_id)


@receiver(application_status_changed, dispatch_uid="monitoring.integrity.status")
def on_status_changed(sender, *, application, new, **kwargs) -> None:
    """Started, finished, withdrawn: episodes that were open close (or may now open)."""
    if new != JobApplication.Status.INVITED:
        pipeline.enqueue(followups.REBUILD_INTEGRITY, application.pk)


@receiver(consent_recorded, dispatch_uid="monitoring.integrity.consent")
def on_consent(sender, *, application, action, **kwargs) -> None:
    """Time without consent counts for nothing: a withdrawal and a renewed consent re-judge
    the episodes around them (rare: a rebuild)."""
    if action in ("withdrawn", "given"):
        pipeline.enqueue(followups.REBUILD_INTEGRITY, application.pk)
