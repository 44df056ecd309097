"""Reads for the review console and timeline: applications in scope with their counts."""

from django.db.models import Count, F, Q, QuerySet

from accounts.models import User
from applications.models import JobApplication
from applications.selectors import applications_for_user
from cameras.selectors import live_application_ids, streams_by_application

CONSOLE_SORTS = {
    "": ("-created_at", "-id"),
    "score": (F("score").asc(nulls_last=True), "-created_at"),
    "-score": (F("score").desc(nulls_last=True), "-created_at"),
}


def console_applications(
    *, user: User, query: str = "", status: str = "", live_only: bool = False, sort: str = ""
) -> QuerySet[JobApplication]:
    """The review console's list: applications in scope with image and event counts."""
    qs = applications_for_user(user=user).annotate(
        camera_count=Count(
            "monitoring_images", filter=Q(monitoring_images__image_type="camera"), distinct=True
        ),
        screen_count=Count(
            "monitoring_images", filter=Q(monitoring_images__image_type="screen"), distinct=True
        ),
        event_count=Count("monitoring_events", distinct=True),
        score=F("integrity__score"),
    )
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


def camera_presence_for(*, applications) -> dict[int, dict]:
    """For each application: live now, or when its camera was last seen."""
    streams = streams_by_application(application_ids=[a.pk for a in applications])
    presence = {}
    for application in applications:
        stream = streams.get(application.pk)
        presence[application.pk] = {
            "live": stream is not None and stream.is_live(),
            "last_seen": stream.last_updated if stream else None,
        }
    return presence
