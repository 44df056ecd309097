"""Reads of camera presence, scoped by role and organization.

Scope: admins see every stream; recruiters see streams whose application belongs to a job of
their organization; candidates see none (the API answers 403 before asking). A stream with no
application is visible to admins only.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import CameraEvent, CameraStream


def freshness_cutoff(*, now: datetime | None = None) -> datetime:
    """Heartbeats older than this are stale: the stream is no longer live."""
    return (now or timezone.now()) - timedelta(seconds=settings.CAMERA_STREAM_TIMEOUT)


def streams_for_user(*, user: User) -> QuerySet[CameraStream]:
    qs = CameraStream.objects.select_related("user", "application__job")
    if not user.is_authenticated:
        return qs.none()
    if user.is_admin_role:
        return qs
    if user.is_recruiter and user.organization_id is not None:
        return qs.filter(application__job__organization_id=user.organization_id)
    return qs.none()


def active_streams_for_user(*, user: User, now: datetime | None = None) -> QuerySet[CameraStream]:
    """Streams that are on and fresh, newest heartbeat first. Holds even if no sweep ran."""
    return (
        streams_for_user(user=user)
        .filter(is_active=True, last_updated__gte=freshness_cutoff(now=now))
        .order_by("-started_at", "user_id")
    )


def stale_streams(*, now: datetime | None = None) -> QuerySet[CameraStream]:
    return CameraStream.objects.filter(is_active=True, last_updated__lt=freshness_cutoff(now=now))


def stream_is_live(*, stream: CameraStream, now: datetime | None = None) -> bool:
    return stream.is_active and stream.last_updated >= freshness_cutoff(now=now)


def camera_events_for_application(*, application_id: int) -> QuerySet[CameraEvent]:
    return CameraEvent.objects.filter(application_id=application_id).order_by("occurred_at")


def stream_payload(*, stream: CameraStream) -> dict:
    """The stream as the API and the board show it (DESIGN.md, camera presence)."""
    user = stream.user
    return {
        "user_id": user.pk,
        "name": user.get_full_name() or user.username,
        "username": user.username,
        "is_active": stream.is_active,
        "last_updated": _iso(stream.last_updated),
        "started_at": _iso(stream.started_at),
        "application_id": stream.application_id,
    }


def board_payload(*, stream: CameraStream) -> dict:
    """The stream as a live-board card shows it: the API payload plus the latest snapshot,
    behind a fresh signed URL (S3 presigned or a signed local link)."""
    payload = stream_payload(stream=stream)
    payload["snapshot_url"] = (
        default_storage.url(stream.snapshot_key) if stream.snapshot_key else None
    )
    payload["snapshot_at"] = _iso(stream.snapshot_at)
    payload["incident"] = stream.incident
    return payload


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def streams_by_application(*, application_ids: list[int]) -> dict[int, CameraStream]:
    """The current stream of each application's candidate, if it belongs to that application."""
    streams = CameraStream.objects.filter(application_id__in=application_ids)
    return {stream.application_id: stream for stream in streams}


def live_streams_with_application() -> QuerySet[CameraStream]:
    """Every live stream attached to an application (for the snapshot-gap sweep)."""
    return CameraStream.objects.filter(
        is_active=True, last_updated__gte=freshness_cutoff(), application__isnull=False
    )
