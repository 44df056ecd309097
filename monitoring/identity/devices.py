"""What the candidate's camera is: a virtual camera (software that can show anything as "the
camera" — a recording, another person's stream) is recorded by the server, from the label of
the camera the page turned on. The page only reports the label; it never decides.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction

from applications.models import JobApplication
from common import pipeline
from monitoring import followups
from monitoring.live import timeline_changed
from monitoring.models import MonitoringEvent

logger = logging.getLogger(__name__)


def virtual_camera_match(label: str) -> str | None:
    """The entry of IDENTITY_VIRTUAL_CAMERA_LABELS the label contains (case and spacing
    ignored), or None."""
    text = " ".join(label.split()).casefold()
    if not text:
        return None
    for entry in settings.IDENTITY_VIRTUAL_CAMERA_LABELS:
        needle = " ".join(entry.split()).casefold()
        if needle and needle in text:
            return entry
    return None


def camera_device_record(
    *, application_id: int, user_id: int, device_label: str, occurred_at: datetime
) -> MonitoringEvent | None:
    """The candidate's camera came on with this label: a label on the list is a
    `virtual_camera` page event (its incident follows through the integrity update), dated
    when the camera came on. Anything else records nothing. Called in the camera-on's
    transaction (cameras tells monitoring through `camera_event_recorded`)."""
    label = " ".join(device_label.split())[:200]
    entry = virtual_camera_match(label)
    if entry is None:
        return None
    application = JobApplication.objects.filter(pk=application_id).first()
    if application is None or application.candidate_id != user_id:
        return None  # only the candidate's own camera on their own interview counts
    with transaction.atomic():
        event = MonitoringEvent.objects.create(
            application_id=application_id,
            type=MonitoringEvent.Type.VIRTUAL_CAMERA,
            occurred_at=occurred_at,
            received_at=occurred_at,
            counted_at=occurred_at,
            sender_id=user_id,
            detail=f"{label} (matches “{entry}”)"[:500],
        )
        pipeline.enqueue(followups.INTEGRITY_EVENT, event.pk)
        timeline_changed(application_id, "events", at=occurred_at)
    logger.info("Virtual camera on application %s: %r", application_id, label)
    return event
