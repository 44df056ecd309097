"""Reads of what the interview page reported."""

from datetime import datetime

from django.db.models import QuerySet

from monitoring.models import MonitoringEvent


def events_for_application(
    *, application_id: int, since: datetime | None = None, limit: int | None = None
) -> QuerySet[MonitoringEvent]:
    """Oldest first; `since` pages forward (strictly after that time), `limit` caps a page."""
    events = (
        MonitoringEvent.objects.filter(application_id=application_id)
        .select_related("sender")
        .order_by("occurred_at", "id")
    )
    if since is not None:
        events = events.filter(occurred_at__gt=since)
    return events[:limit] if limit is not None else events
