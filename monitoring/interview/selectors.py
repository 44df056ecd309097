"""Reads of what the interview page reported."""

from django.db.models import QuerySet

from monitoring.models import MonitoringEvent


def events_for_application(*, application_id: int) -> QuerySet[MonitoringEvent]:
    return (
        MonitoringEvent.objects.filter(application_id=application_id)
        .select_related("sender")
        .order_by("occurred_at", "id")
    )
