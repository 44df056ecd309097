"""Reads for the review console and timeline: one truth per number.

The console's row and the timeline's header of an application come from the same function
(`application_records`): capture and event counts, the camera state of *this* application
(not of the candidate's latest stream), and the integrity report.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from applications.selectors import applications_for_user
from cameras.models import CameraEvent
from cameras.selectors import live_application_ids, streams_by_application
from monitoring.integrity.selectors import integrity_reports
from monitoring.models import ImageType, MonitoringEvent, MonitoringImage

CONSOLE_SORTS = {
    "": ("-created_at", "-id"),
    "score": (F("score").asc(nulls_last=True), "-created_at"),
    "-score": (F("score").desc(nulls_last=True), "-created_at"),
}


def _count(model, **filters) -> Coalesce:
    """A per-application count as a subquery: no join fan-out across the three tables."""
    rows = (
        model.objects.filter(application=OuterRef("pk"), **filters)
        .order_by()
        .values("application")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_counts(qs: QuerySet[JobApplication]) -> QuerySet[JobApplication]:
    return qs.annotate(
        camera_count=_count(MonitoringImage, image_type=ImageType.CAMERA),
        screen_count=_count(MonitoringImage, image_type=ImageType.SCREEN),
        page_event_count=_count(MonitoringEvent),
        camera_event_count=_count(CameraEvent),
        score=F("integrity__score"),
    )


def console_applications(
    *, user: User, query: str = "", status: str = "", live_only: bool = False, sort: str = ""
) -> QuerySet[JobApplication]:
    """The review console's list: applications in scope with their counts."""
    qs = with_counts(applications_for_user(user=user))
    if query:
        qs = qs.filter(
            Q(candidate__username__icontains=query)
            | Q(candidate__first_name__icontains=query)
            | Q(candidate__last_name__icontains=query)
            | Q(candidate__email__icontains=query)
            | Q(job__title__icontains=query)
        )
    if status in JobApplication.Status.values:
        qs = qs.filter(status=status)
    if live_only:
        qs = qs.filter(pk__in=live_application_ids())
    return qs.order_by(*CONSOLE_SORTS.get(sort, CONSOLE_SORTS[""]))


@dataclass(frozen=True)
class Record:
    """What the console shows of one interview, and the timeline shows at its top."""

    camera_count: int
    screen_count: int
    event_count: int
    live: bool
    last_seen: datetime | None
    score: int | None  # None until the interview has started
    incident_count: int


def application_records(*, applications: list[JobApplication]) -> dict[int, Record]:
    """Counts, camera state and score of each application (annotated by `with_counts`)."""
    now = timezone.now()
    streams = streams_by_application(application_ids=[a.pk for a in applications])
    last_events = dict(
        CameraEvent.objects.filter(application_id__in=[a.pk for a in applications])
        .values("application_id")
        .annotate(last=Max("occurred_at"))
        .values_list("application_id", "last")
    )
    reports = integrity_reports(applications=applications, now=now)
    records = {}
    for application in applications:
        stream = streams.get(application.pk)
        seen = [t for t in (last_events.get(application.pk), stream and stream.last_updated) if t]
        report = reports[application.pk]
        started = application.started_at is not None or report["incidents"]
        records[application.pk] = Record(
            camera_count=application.camera_count,
            screen_count=application.screen_count,
            event_count=application.page_event_count + application.camera_event_count,
            live=stream is not None and stream.is_live(now=now),
            last_seen=max(seen) if seen else None,
            score=report["score"] if started else None,
            incident_count=len(report["incidents"]),
        )
    return records
