"""Role-scoped reads of monitoring images: through the applications the caller may see."""

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from accounts.errors import NotFound
from accounts.models import User
from applications.models import JobApplication
from applications.selectors import applications_for_user
from cameras.selectors import freshness_cutoff, stream_is_live, streams_by_application

from .models import ImageType, MonitoringEvent, MonitoringImage

LISTING_MAX = 500


def images_for_user(*, user: User) -> QuerySet[MonitoringImage]:
    return MonitoringImage.objects.filter(
        application__in=applications_for_user(user=user).values("pk")
    )


def image_get_for_user(*, user: User, application_id: int, image_id: int) -> MonitoringImage:
    try:
        return images_for_user(user=user).get(pk=image_id, application_id=application_id)
    except (MonitoringImage.DoesNotExist, ValueError, TypeError):
        raise NotFound("Image not found.", code="image_not_found") from None


def images_by_keys_for_user(*, user: User, keys: list[str]) -> dict[str, MonitoringImage]:
    """The images among `keys` that the caller may see, by key. Unknown keys are left out."""
    found = images_for_user(user=user).filter(file__in=keys).select_related("application")
    return {image.file.name: image for image in found}


def image_timeline(
    *, application_id: int, since: datetime | None = None, limit: int = LISTING_MAX
) -> dict[str, list[MonitoringImage]]:
    """Oldest first, per type; `since` pages forward (strictly after that capture time)."""
    limit = max(1, min(limit, LISTING_MAX))
    result = {}
    for image_type in ImageType.values:
        qs = MonitoringImage.objects.filter(application_id=application_id, image_type=image_type)
        if since is not None:
            qs = qs.filter(captured_at__gt=since)
        result[image_type] = list(
            qs.select_related("analysis").order_by("captured_at", "id")[:limit]
        )
    return result


def image_by_client_id(*, application_id: int, client_id) -> MonitoringImage | None:
    return MonitoringImage.objects.filter(
        application_id=application_id, client_id=client_id
    ).first()


def events_for_application(*, application_id: int) -> QuerySet[MonitoringEvent]:
    return MonitoringEvent.objects.filter(application_id=application_id).order_by(
        "occurred_at", "id"
    )


CONSOLE_SORTS = {
    "": ("-created_at", "-id"),
    "score": (F("score").asc(nulls_last=True), "-created_at"),
    "-score": (F("score").desc(nulls_last=True), "-created_at"),
}


def console_applications(
    *, user: User, query: str = "", status: str = "", live_only: bool = False, sort: str = ""
) -> QuerySet:
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
        qs = qs.filter(
            camera_streams__is_active=True,
            camera_streams__last_updated__gte=freshness_cutoff(),
        )
    return qs.order_by(*CONSOLE_SORTS.get(sort, CONSOLE_SORTS[""]))


def camera_presence_for(*, applications) -> dict[int, dict]:
    """For each application: live now, or when its camera was last seen."""
    streams = streams_by_application(application_ids=[a.pk for a in applications])
    presence = {}
    for application in applications:
        stream = streams.get(application.pk)
        presence[application.pk] = {
            "live": bool(stream) and stream_is_live(stream=stream),
            "last_seen": stream.last_updated if stream else None,
        }
    return presence
