"""The append-only audit log: who saw, signed, listed or deleted what, and from where.

Every signed URL, listing and delete is written here by the service that performs it; lower
apps (accounts, applications, cameras) reach it only through signals (monitoring.audit.receivers),
never by import.
"""

from collections.abc import Iterable

from accounts.models import User
from common.http import RequestInfo
from monitoring.models import AccessEvent, MonitoringImage


def access_log(
    *,
    actor: User | None,
    action: str,
    info: RequestInfo,
    application_id: int | None = None,
    image: MonitoringImage | None = None,
    s3_key: str = "",
    detail: str = "",
) -> AccessEvent:
    return AccessEvent.objects.create(
        actor=actor,
        action=action,
        application_id=application_id,
        image=image,
        s3_key=s3_key,
        detail=detail[:300],
        ip=info.ip,
        user_agent=info.user_agent,
    )


def access_log_keys(
    *,
    actor: User | None,
    action: str,
    keys: list[tuple[str, int | None]],
    audience: str = "",
    detail: str = "",
) -> None:
    """One entry per (storage key, application) — signed URLs that no request asked for one
    by one (a board push names its audience, the board groups, instead of a person)."""
    images = dict(
        MonitoringImage.objects.filter(file__in=[k for k, _ in keys]).values_list("file", "pk")
    )
    entries = [
        AccessEvent(
            actor=actor,
            audience=audience[:200],
            action=action,
            application_id=application_id,
            image_id=images.get(key),
            s3_key=key,
            detail=detail,
        )
        for key, application_id in keys
    ]
    if len(entries) == 1:  # a board's new snapshot: one INSERT, no transaction around it
        entries[0].save(force_insert=True)
    else:
        AccessEvent.objects.bulk_create(entries)


def access_log_images(
    *, actor: User | None, action: str, info: RequestInfo, images: Iterable[MonitoringImage]
) -> None:
    """One entry per image, written in one query (a batch of signed URLs)."""
    AccessEvent.objects.bulk_create(
        AccessEvent(
            actor=actor,
            action=action,
            application_id=image.application_id,
            image=image,
            s3_key=image.file.name,
            ip=info.ip,
            user_agent=info.user_agent,
        )
        for image in images
    )
