"""What lower apps tell integrity through signals (they never import monitoring)."""

from django.dispatch import receiver

from applications.models import JobApplication
from applications.signals import application_status_changed, consent_recorded, recording_began
from cameras.signals import camera_event_recorded
from common import pipeline
from monitoring import followups
from monitoring.live import timeline_changed

from .services import integrity_rules_freeze


@receiver(camera_event_recorded, dispatch_uid="monitoring.integrity.camera_event")
def on_camera_event(sender, *, event_id: int, application_id: int | None, **kwargs) -> None:
    """Camera on, off or silent: the interview's camera-off episodes and gaps around it, after
    the commit (in this process when no broker takes it: nothing would derive it again)."""
    if application_id is not None:
        pipeline.enqueue(followups.INTEGRITY_CAMERA, event_id)
        timeline_changed(application_id, "events")


@receiver(application_status_changed, dispatch_uid="monitoring.integrity.status")
def on_status_changed(sender, *, application, new, **kwargs) -> None:
    """Started, finished, withdrawn: episodes that were open close (or may now open). A start
    freezes the organization's rules for this interview."""
    if new == JobApplication.Status.IN_PROGRESS:
        integrity_rules_freeze(application_id=application.pk)
    if new != JobApplication.Status.INVITED:
        pipeline.enqueue(followups.REBUILD_INTEGRITY, application.pk)


@receiver(recording_began, dispatch_uid="monitoring.integrity.recording_began")
def on_recording_began(sender, *, application_id: int, **kwargs) -> None:
    """Recording began without a start (an opened interview): the rules freeze now."""
    integrity_rules_freeze(application_id=application_id)


@receiver(consent_recorded, dispatch_uid="monitoring.integrity.consent")
def on_consent(sender, *, application, action, **kwargs) -> None:
    """Time without consent counts for nothing: a withdrawal and a renewed consent re-judge
    the episodes around them (rare: a rebuild). Open timelines show the answer."""
    timeline_changed(application.pk, "events")
    if action in ("withdrawn", "given"):
        pipeline.enqueue(followups.REBUILD_INTEGRITY, application.pk)
