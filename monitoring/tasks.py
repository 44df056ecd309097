"""Celery tasks: an interface like a view. Each fetches by id and calls one service.

Services never import this module; they queue these tasks by the names of
monitoring.followups, after commit, through common.pipeline.
"""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from applications.models import JobApplication

from . import followups
from .analysis.services import analyses_reconcile, image_analyze
from .identity.services import identity_frames_match, identity_settings_apply
from .images.services import image_object_delete, orphan_objects_sweep, snapshot_announce
from .images.storage import STORAGE_ERRORS
from .integrity import services as integrity
from .privacy import services as privacy


@shared_task(name="monitoring.sweep_orphan_objects", ignore_result=True)
def sweep_orphan_objects() -> int:
    """Scheduled hourly by beat: remove stored objects that no row references."""
    return orphan_objects_sweep()


@shared_task(
    name=followups.ANALYZE_IMAGE.name,
    acks_late=True,
    ignore_result=True,
    autoretry_for=STORAGE_ERRORS,  # the store blinked: try again later, do not give up
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=6,
)
def analyze_image(image_id: int) -> str:
    """Analyse one stored capture (safe to run twice). Returns "capture <id>", which the
    worker's log prints with the task ("succeeded in 0.1s: 'capture 17'")."""
    image_analyze(image_id=image_id)
    return f"capture {image_id}"


@shared_task(name=followups.IDENTITY_MATCH_FRAMES.name, ignore_result=True, acks_late=True)
def identity_match_frames(application_id: int) -> int:
    """A new selfie: every frame of the candidate's not yet matched with it (safe twice)."""
    return identity_frames_match(application_id=application_id)


@shared_task(name=followups.IDENTITY_SETTINGS_CHANGED.name, ignore_result=True, acks_late=True)
def identity_settings_changed(organization_id: int) -> int:
    """An organization's identity settings changed: its interviews follow them."""
    return identity_settings_apply(organization_id=organization_id)


@shared_task(name=followups.RECONCILE_ANALYSES.name, ignore_result=True)
def reconcile_analyses() -> int:
    """Scheduled: captures whose analysis never happened are queued again."""
    return analyses_reconcile()


@shared_task(name=followups.INTEGRITY_FRAME.name, ignore_result=True)
def integrity_frame(image_id: int) -> None:
    """No longer queued by an upload (the analysis updates the frame's incidents); kept so a
    message queued by an earlier version is still taken."""
    integrity.integrity_frame_changed(image_id=image_id)


@shared_task(name=followups.INTEGRITY_EVENT.name, ignore_result=True)
def integrity_event(event_id: int) -> None:
    """A page event: the episodes of its kind around it."""
    integrity.integrity_event_recorded(event_id=event_id)


@shared_task(name=followups.INTEGRITY_CAMERA.name, ignore_result=True)
def integrity_camera(camera_event_id: int) -> None:
    """The camera went on, off or silent: camera-off episodes and the silences around it."""
    integrity.integrity_camera_changed(camera_event_id=camera_event_id)


@shared_task(
    name=followups.DELETE_OBJECT.name,
    ignore_result=True,
    autoretry_for=STORAGE_ERRORS,
    retry_backoff=2,
    max_retries=3,
)
def delete_object(key: str) -> None:
    """A deleted capture's stored object (the orphan sweep removes it if this never runs)."""
    image_object_delete(key=key)


@shared_task(name=followups.INTEGRITY_FRAME_REMOVED.name, ignore_result=True)
def integrity_frame_removed(application_id: int, image_id: int, captured_at: str) -> None:
    application = JobApplication.objects.select_related("job").filter(pk=application_id).first()
    if application is not None:
        integrity.integrity_frame_removed(
            application=application, at=parse_datetime(captured_at), image_id=image_id
        )


@shared_task(name=followups.REBUILD_INTEGRITY.name, ignore_result=True)
def rebuild_integrity(application_id: int) -> None:
    integrity.integrity_rebuild(application_id=application_id)


@shared_task(name="monitoring.sweep_snapshot_gaps", ignore_result=True)
def sweep_snapshot_gaps() -> int:
    """Scheduled by beat: a live camera that sends no snapshot for 2× its interval."""
    return integrity.snapshot_gaps_sweep()


@shared_task(
    name=followups.ANNOUNCE_SNAPSHOT.name,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=1,
    max_retries=3,
)
def announce_snapshot(image_id: int) -> None:
    snapshot_announce(image_id=image_id)


@shared_task(name=followups.ERASURE_RUN.name, ignore_result=True, acks_late=True)
def erasure_run(job_id: int) -> None:
    """One short step of an erasure (ERASURE_TASK_SECONDS); it queues the next itself. A store
    that fails pauses it (recorded on the job); the resume sweep goes on later."""
    privacy.erasure_run(job_id=job_id)


@shared_task(name=followups.RETENTION_SWEEP.name, ignore_result=True)
def retention_sweep() -> int:
    """Scheduled daily: interviews past their retention window are erased."""
    return privacy.retention_sweep()


@shared_task(name="monitoring.erasure_resume", ignore_result=True)
def erasure_resume() -> int:
    """Scheduled every minute: erasures that stopped half-way go on."""
    return privacy.erasure_resume()
