"""Reads of reviewers' work on the record: the verdicts in force, their history, the notes."""

from django.db.models import QuerySet

from monitoring.models import IncidentVerdict, ReviewNote


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
