"""Reads of reviewers' work on the record: the verdicts in force, their history, the notes,
and how often each automatic flag turned out right (the flag statistics)."""

from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import User
from applications.selectors import applications_for_user
from monitoring.models import IncidentType, IncidentVerdict, ReviewNote

FLAG_STATS_DAYS = 90


def verdicts_in_force(*, application_ids: list[int]) -> dict[int, IncidentVerdict]:
    """The current verdict of each incident that still exists, by incident id (one query)."""
    rows = IncidentVerdict.objects.filter(
        application_id__in=application_ids, replaced_at=None, incident__isnull=False
    ).select_related("decided_by")
    return {row.incident_id: row for row in rows}


def verdict_history(*, application_id: int) -> QuerySet[IncidentVerdict]:
    """Every verdict, older ones and those on incidents that are gone included."""
    return IncidentVerdict.objects.filter(application_id=application_id).select_related(
        "decided_by"
    )


def notes_for_application(*, application_id: int) -> QuerySet[ReviewNote]:
    return ReviewNote.objects.filter(application_id=application_id).select_related("author")


def flag_stats(
    *, user: User, now: datetime | None = None, organization_id: int | None = None
) -> dict:
    """For each incident type, the verdicts in force given over the last FLAG_STATS_DAYS days
    on interviews in the caller's scope (an admin may narrow it to one organization):
    confirmed, dismissed and precision = confirmed / (confirmed + dismissed), None without a
    verdict. Verdicts on incidents that are gone since still count: the flag was judged."""
    since = (now or timezone.now()) - timedelta(days=FLAG_STATS_DAYS)
    scope = applications_for_user(user=user)
    if organization_id is not None:
        scope = scope.filter(job__organization_id=organization_id)
    counts = {
        (row["incident_type"], row["verdict"]): row["n"]
        for row in IncidentVerdict.objects.filter(
            replaced_at=None, decided_at__gte=since, application__in=scope.values("pk")
        )
        .values("incident_type", "verdict")
        .annotate(n=Count("*"))
        .order_by()
    }
    types = []
    for kind in IncidentType.values:
        confirmed = counts.get((kind, IncidentVerdict.Verdict.CONFIRMED), 0)
        dismissed = counts.get((kind, IncidentVerdict.Verdict.DISMISSED), 0)
        judged = confirmed + dismissed
        types.append(
            {
                "type": kind,
                "label": IncidentType(kind).label,
                "confirmed": confirmed,
                "dismissed": dismissed,
                "precision": round(confirmed / judged, 3) if judged else None,
            }
        )
    return {"since": since, "types": types}
