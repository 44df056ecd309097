"""Role-scoped reads of monitoring images: through the applications the caller may see."""

from datetime import datetime

from django.db.models import Count, Max, QuerySet

from accounts.models import User
from applications.selectors import applications_for_user
from common.errors import NotFound
from monitoring.models import DeletedCapture, ImageType, MonitoringImage

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
) -> dict[str, list]:
    """Oldest first, per type; `since` pages forward (strictly after that capture time).
    `deleted`: the slots of captures a reviewer deleted, in the same window."""
    limit = max(1, min(limit, LISTING_MAX))
    result = {}
    for image_type in ImageType.values:
        qs = MonitoringImage.objects.filter(application_id=application_id, image_type=image_type)
        if since is not None:
            qs = qs.filter(captured_at__gt=since)
        result[image_type] = list(
            qs.select_related("analysis", "uploaded_by").order_by("captured_at", "id")[:limit]
        )
    deleted = DeletedCapture.objects.filter(application_id=application_id)
    if since is not None:
        deleted = deleted.filter(captured_at__gt=since)
    result["deleted"] = list(deleted.select_related("deleted_by").order_by("captured_at")[:limit])
    return result


def image_by_client_id(*, application_id: int, client_id) -> MonitoringImage | None:
    return MonitoringImage.objects.filter(
        application_id=application_id, client_id=client_id
    ).first()


def own_captures_summary(*, application_id: int, user_id: int) -> dict:
    """What the candidate has sent for the interview so far: `count` and `last_received_at`
    (a page opened again shows it instead of "0, none yet")."""
    summary = MonitoringImage.objects.filter(
        application_id=application_id, uploaded_by_id=user_id
    ).aggregate(count=Count("pk"), last_received_at=Max("received_at"))
    return summary
