"""Which interviews are past their retention window (the window in force for an organization
is `Organization.retention_window_days`: its own, or MONITORING_RETENTION_DAYS)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.models import Organization
from applications.models import JobApplication
from cameras.models import CameraEvent
from monitoring.models import (
    DeletedCapture,
    ErasureJob,
    IdentityReference,
    IntegrityEvent,
    IntegritySummary,
    MonitoringEvent,
    MonitoringImage,
)


def _has_record() -> Q:
    """Anything recorded for the application that retention deletes."""
    checks = [
        Exists(model.objects.filter(application_id=OuterRef("pk")))
        for model in (
            MonitoringImage,
            MonitoringEvent,
            IntegrityEvent,
            IntegritySummary,
            CameraEvent,
            DeletedCapture,
            IdentityReference,
        )
    ]
    condition = Q(checks[0])
    for check in checks[1:]:
        condition |= Q(check)
    return condition


def retention_due(*, now: datetime, limit: int) -> list[JobApplication]:
    """Interviews whose window has passed and that still hold a record, not under a legal
    hold, not already being erased. The window runs from the end of the interview (finished
    or withdrawn) or, for one that never ended, from its last capture (or its start, if it
    captured nothing); an interview never started and never captured has nothing to delete.
    """
    busy = ErasureJob.objects.exclude(state=ErasureJob.State.DONE).filter(
        application_id=OuterRef("pk")
    )
    # One query per window in force: the default, and each organization's own.
    groups = {settings.MONITORING_RETENTION_DAYS: Q(job__organization__retention_days=None)}
    for days in set(
        Organization.objects.exclude(retention_days=None).values_list("retention_days", flat=True)
    ):
        own = Q(job__organization__retention_days=days)
        groups[days] = groups[days] | own if days in groups else own
    due: list[JobApplication] = []
    for days, organizations in sorted(groups.items()):
        remaining = limit - len(due)
        if remaining <= 0:
            break
        cutoff = now - timedelta(days=days)
        recent_capture = MonitoringImage.objects.filter(
            application_id=OuterRef("pk"), received_at__gte=cutoff
        )
        ended = (
            Q(completed_at__lt=cutoff) | Q(withdrawn_at__lt=cutoff) | Q(terminated_at__lt=cutoff)
        )
        never_ended = (
            Q(completed_at=None, withdrawn_at=None, terminated_at=None)
            & ~Q(Exists(recent_capture))
            & (Q(started_at__lt=cutoff) | Q(started_at=None, created_at__lt=cutoff))
        )
        due += list(
            JobApplication.objects.filter(organizations, legal_hold=False)
            .filter(ended | never_ended)
            .filter(_has_record())
            .exclude(Exists(busy))
            .select_related("job")
            .order_by("pk")[:remaining]
        )
    return due


def receipt_for_user(*, user, receipt_id) -> ErasureJob | None:
    """A receipt the user may read: admins every one, recruiters their organization's."""
    jobs = ErasureJob.objects.filter(receipt_id=receipt_id)
    if not user.is_admin_role:
        if not user.is_staff_role or user.organization_id is None:
            return None
        jobs = jobs.filter(organization_id=user.organization_id)
    return jobs.first()
