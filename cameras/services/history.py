"""The history of a stream: when the camera went on, off or silent."""

from datetime import datetime

from cameras.models import CameraEvent
from cameras.signals import camera_event_recorded


def camera_event_record(
    *,
    user_id: int,
    application_id: int | None,
    kind: str,
    occurred_at: datetime,
    device_label: str = "",
) -> CameraEvent:
    """A change of the stream's history; the floors above hear of it in this transaction
    (and defer their work through the pipeline). A camera-on carries the camera's label as
    the page reported it (not stored here: monitoring decides what it means)."""
    event = CameraEvent.objects.create(
        user_id=user_id, application_id=application_id, kind=kind, occurred_at=occurred_at
    )
    camera_event_recorded.send(
        sender=CameraEvent,
        event_id=event.pk,
        application_id=event.application_id,
        kind=kind,
        occurred_at=occurred_at,
        user_id=user_id,
        device_label=device_label,
    )
    return event
