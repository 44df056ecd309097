"""Reads of camera presence, scoped by role and organization.

Scope: admins see every stream; recruiters see streams whose application belongs to a job of
their organization; candidates see none (the API answers 403 before asking). A stream with no
application is visible to admins only.
"""

from datetime import datetime

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from accounts.models import User
from accounts.scoping import role_scope
from common.time import iso_utc

from .models import CameraEvent, CameraStream


def streams_for_user(*, user: User) -> QuerySet[CameraStream]:
    qs = CameraStream.objects.select_related("user", "application__job")
    scope = role_scope(user, organization="application__job__organization_id")
    return qs.none() if scope is None else qs.filter(scope)


def active_streams_for_user(*, user: User, now: datetime | None = None) -> QuerySet[CameraStream]:
    """Streams that are on and fresh, newest heartbeat first. Holds even if no sweep ran."""
    return streams_for_user(user=user).live(now=now).order_by("-started_at", "user_id")


def camera_events_for_application(
    *, application_id: int, since: datetime | None = None, limit: int | None = None
) -> QuerySet[CameraEvent]:
    """Oldest first; `since` pages forward (strictly after that time), `limit` caps a page."""
    events = CameraEvent.objects.filter(application_id=application_id).order_by("occurred_at", "id")
    if since is not None:
        events = events.filter(occurred_at__gt=since)
    return events[:limit] if limit is not None else events


def stream_payload(*, stream: CameraStream) -> dict:
    """The stream as the API and the board show it (DESIGN.md, camera presence)."""
    user = stream.user
    return {
        "user_id": user.pk,
        "name": user.display_name,
        "username": user.username,
        "is_active": stream.is_active,
        "last_updated": iso_utc(stream.last_updated),
        "started_at": iso_utc(stream.started_at),
        "application_id": stream.application_id,
    }


def board_payload(*, stream: CameraStream, with_snapshot: bool = True) -> dict:
    """The stream as a live-board card shows it: the API payload plus the latest snapshot,
    behind a fresh signed URL (S3 presigned or a signed local link).

    Without `with_snapshot` (a heartbeat refresh, an incident) the snapshot keys are left
    out and the board keeps the picture it has: no URL is signed that nobody needs.
    """
    payload = stream_payload(stream=stream)
    if with_snapshot:
        payload["snapshot_url"] = (
            default_storage.url(stream.snapshot_key) if stream.snapshot_key else None
        )
        payload["snapshot_at"] = iso_utc(stream.snapshot_at)
    # The card labels a snapshot older than 2× this with its age ("3 min ago").
    payload["camera_interval"] = stream.application.camera_interval if stream.application else None
    payload["incident"] = stream.incident
    application = stream.application
    payload["job_id"] = application.job_id if application else None
    payload["job_title"] = application.job.title if application else None
    payload["assigned_reviewer_id"] = application.assigned_reviewer_id if application else None
    payload["identity"] = stream.identity
    return payload


def streams_by_application(*, application_ids: list[int]) -> dict[int, CameraStream]:
    """The current stream of each application's candidate, if it belongs to that application."""
    streams = CameraStream.objects.filter(application_id__in=application_ids)
    return {stream.application_id: stream for stream in streams}


def live_application_ids() -> QuerySet:
    """Ids of the applications whose camera is live now (lazy: usable as a subquery)."""
    return (
        CameraStream.objects.live()
        .filter(application__isnull=False)
        .values_list("application_id", flat=True)
    )
