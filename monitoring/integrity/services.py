"""Recompute an application's incidents and score from what is stored, then tell the board.

Recomputing from scratch (in capture order) after every analysis, page event and gap sweep
is what makes late frames merge into episodes instead of splitting them.
"""

from datetime import datetime

from django.db import transaction

from applications.models import JobApplication
from cameras.selectors import live_application_ids
from cameras.services import camera_stream_incident
from common.time import iso_utc
from monitoring.models import IntegrityEvent, IntegritySummary

from . import rules as integrity
from .selectors import compute


def _board_incident(incidents) -> dict | None:
    ongoing = [i for i in incidents if i.ongoing]
    if not ongoing:
        return None
    current = max(ongoing, key=lambda i: i.started_at)  # the newest is the current one
    return {
        "type": current.type,
        "label": integrity.LABELS[current.type],
        "since": iso_utc(current.started_at),
        "reason": current.reason,
    }


def integrity_recompute(*, application_id: int, now: datetime | None = None) -> dict | None:
    """Recompute and store the incidents and score; push the current incident to the board."""
    application = JobApplication.objects.select_related("job").filter(pk=application_id).first()
    if application is None:
        return None
    result = compute(application=application, now=now)
    with transaction.atomic():
        IntegrityEvent.objects.filter(application=application).delete()
        IntegrityEvent.objects.bulk_create(
            IntegrityEvent(
                application=application,
                type=i.type,
                started_at=i.started_at,
                ended_at=i.ended_at,
                ongoing=i.ongoing,
                frame_count=i.frame_count,
                image_ids=i.image_ids,
                reason=i.reason[:300],
            )
            for i in result["incidents"]
        )
        IntegritySummary.objects.update_or_create(
            application=application,
            defaults={"score": result["score"], "incident_count": len(result["incidents"])},
        )
    camera_stream_incident(
        user_id=application.candidate_id,
        application_id=application.pk,
        incident=_board_incident(result["incidents"]),
    )
    return result


def snapshot_gaps_sweep(*, now: datetime | None = None) -> int:
    """Recompute every application with a live camera: an ongoing snapshot gap surfaces."""
    ids = set(live_application_ids())
    for application_id in ids:
        integrity_recompute(application_id=application_id, now=now)
    return len(ids)
