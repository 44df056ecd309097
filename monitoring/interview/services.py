"""The candidate's interview: what the page reports."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from applications.services import recording_check
from common import pipeline
from common.errors import InvalidInput, NotAllowed, NotFound
from monitoring import followups
from monitoring.images.services import client_time
from monitoring.integrity.rules import event_counted_at
from monitoring.live import timeline_changed
from monitoring.models import MonitoringEvent


def monitoring_event_check(*, actor: User, application: JobApplication) -> None:
    """Whether `actor` may report events for `application` (403 `not_candidate`, 409 when it
    may not be recorded). Apart from recording so that the API counts its per-interview limit
    only for a caller who passes (a refused stranger spends nobody's window)."""
    if application.candidate_id != actor.pk:
        raise NotAllowed(
            "Only the candidate's interview page reports events.", code="not_candidate"
        )
    recording_check(application=application)


def monitoring_event_record(
    *,
    actor: User,
    application: JobApplication,
    type: str,
    occurred_at: datetime | None = None,
    detail: str = "",
) -> MonitoringEvent:
    """Record what the candidate's page observed. Only the candidate's own application, and
    only while it may be recorded (in progress, consent active)."""
    monitoring_event_check(actor=actor, application=application)
    if type not in MonitoringEvent.Type.values or type in MonitoringEvent.SERVER_TYPES:
        raise InvalidInput("type: not a known event type.", code="invalid_choice")
    received_at = timezone.now()
    occurred_at, clock_adjusted = client_time(
        occurred_at or received_at, field="occurred_at", now=received_at
    )
    late, counted_at = event_counted_at(
        type, occurred_at, received_at, slack=settings.MONITORING_LATE_SLACK
    )
    with transaction.atomic():
        locked = JobApplication.objects.lock(application.pk)  # the rule, again, under the lock
        if locked is None:
            raise NotFound("Application not found.", code="application_not_found")
        recording_check(application=locked)
        event = MonitoringEvent.objects.create(
            application=application,
            type=type,
            occurred_at=occurred_at,
            received_at=received_at,
            late=late,
            clock_adjusted=clock_adjusted,
            counted_at=counted_at,
            sender=actor,
            detail=detail[:500],
        )
        pipeline.enqueue(followups.INTEGRITY_EVENT, event.pk)
        timeline_changed(application.pk, "events", at=event.occurred_at)
    return event
