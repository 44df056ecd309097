"""Turning a camera on and off, and heartbeats.

A status call is a heartbeat when the stream is already live: most heartbeats are a single
UPDATE with no lock and no broadcast. Anything visible (on, off, application changed, or a
coalesced refresh at most every CAMERA_BOARD_COALESCE_SECONDS) is broadcast after commit.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from applications.services import application_recording_began, recording_check
from cameras import watch
from cameras.groups import board_groups_for_stream, organization_group
from cameras.models import CameraEvent, CameraStream
from cameras.selectors import board_payload, stream_payload
from common.errors import NotAllowed

from .board import (
    ENDED,
    STARTED,
    UPDATED,
    organization_of,
    stream_announce,
    stream_broadcast,
    stream_broadcast_batch,
)
from .history import camera_event_record


def camera_stream_heartbeat(
    *, user_id: int, application_id: int | None = None, now: datetime | None = None
) -> bool:
    """Refresh a live stream in one UPDATE when nothing visible changes. True if it did.

    Needs no check of `application_id`: it only matches a stream that is already attached to
    that application, which camera_stream_set_status verified when it attached it, and whose
    interview may still be recorded (when it may not any more, the receivers stop the stream and
    the sweep ends any they missed: it is then not live). False means "not a quiet heartbeat":
    call camera_stream_set_status.
    """
    now = now or timezone.now()
    coalesce = timedelta(seconds=settings.CAMERA_BOARD_COALESCE_SECONDS)
    qs = CameraStream.objects.live(now=now).filter(
        user_id=user_id, last_broadcast_at__gt=now - coalesce
    )
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    if connection.vendor != "postgresql":  # one UPDATE is atomic; no write lock held longer
        return qs.update(last_updated=now) == 1
    with transaction.atomic():
        # A heartbeat lost in a crash costs nothing (the next one comes in 10 s): do not wait
        # for the WAL flush. Only this transaction is affected.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return qs.update(last_updated=now) == 1


def camera_stream_set_status(
    *,
    user: User,
    is_active: bool,
    application: JobApplication | None = None,
    now: datetime | None = None,
    device_label: str = "",
) -> CameraStream | None:
    """Turn the caller's camera on or off, or keep it fresh (a heartbeat).

    Returns the stream, or None when the fast heartbeat path refreshed it without reading it.
    `application` (one the caller may see) must be the user's own: a stream belongs to the
    candidate's interview, never to someone else's. `device_label` (the camera's label, as the
    page reads it) goes with the camera-on event to the floors above; a heartbeat's is ignored.
    """
    if application is not None and application.candidate_id != user.pk:
        raise NotAllowed(
            "A camera stream can only belong to your own application.",
            code="not_own_application",
        )
    now = now or timezone.now()
    if is_active and camera_stream_heartbeat(
        user_id=user.pk, application_id=getattr(application, "pk", None), now=now
    ):
        return None
    if is_active and application is not None:
        recording_check(application=application)  # camera off is always accepted
    with transaction.atomic():
        return _set_status_locked(
            user=user,
            is_active=is_active,
            application=application,
            now=now,
            device_label=device_label,
        )


def _seed_client_application(*, user: User, stream: CameraStream) -> JobApplication | None:
    """The application a camera-on without `application_id` belongs to (the seed's client):
    the candidate's only interview that may be recorded; else the one the stream already
    serves if it still may be; else none (the stream is presence only, seen by admins)."""
    recordable = list(JobApplication.objects.recordable().filter(candidate=user)[:2])
    if len(recordable) == 1:
        return recordable[0]
    if stream.application_id and any(a.pk == stream.application_id for a in recordable):
        return stream.application
    return None


def camera_stream_stop(*, user: User, application_id: int, now: datetime | None = None) -> bool:
    """Turn the candidate's camera off if it serves this interview (it ended, or consent was
    withdrawn). Called by this app's receivers of the applications signals."""
    now = now or timezone.now()
    with transaction.atomic():
        stream = (
            CameraStream.objects.select_for_update()
            .filter(user=user, application_id=application_id, is_active=True)
            .first()
        )
        if stream is None:
            return False
        _set_status_locked(user=user, is_active=False, application=None, now=now)
    return True


def _set_status_locked(*, user, is_active, application, now, device_label="") -> CameraStream:
    stream, created = CameraStream.objects.select_for_update().get_or_create(
        user=user, defaults={"last_updated": now, "application": application}
    )
    if not created:
        stream = CameraStream.objects.select_related("application__job").get(pk=stream.pk)
    was_live = not created and stream.is_live(now=now)
    old_organization_id = organization_of(stream.application)
    old_application_id = stream.application_id
    if stream.is_active and not was_live and not created:
        # Went silent and nobody swept it yet: record when the heartbeat was lost.
        camera_event_record(
            user_id=user.pk,
            application_id=stream.application_id,
            kind=CameraEvent.Kind.TIMEOUT,
            occurred_at=stream.last_updated,
        )
    if is_active:
        # Camera on: the stream serves the named interview (or the seed client's only one).
        # Camera off touches only the interview the stream serves, whatever it names.
        if application is None:
            application = _seed_client_application(user=user, stream=stream)
        stream.application = application
    if stream.application_id != old_application_id:
        # Another interview, another record: nothing the card showed for the last one (its
        # snapshot, its incident) may reach this one's board.
        stream.snapshot_key, stream.snapshot_at, stream.incident = "", None, None
        stream.identity = None
    new_organization_id = organization_of(stream.application)
    moved = was_live and old_organization_id != new_organization_id

    event = None
    if is_active:
        if stream.application_id is not None:
            application_recording_began(application_id=stream.application_id, at=now)
        if not was_live:
            stream.started_at = now
            camera_event_record(
                user_id=user.pk,
                application_id=stream.application_id,
                kind=CameraEvent.Kind.ON,
                occurred_at=now,
                device_label=device_label,
            )
            event = STARTED
        else:
            coalesce = timedelta(seconds=settings.CAMERA_BOARD_COALESCE_SECONDS)
            changed_application = stream.application_id != old_application_id
            if changed_application:
                # The camera now serves another interview: this one's history says it went
                # off here, the other's that it came on (camera state is per application).
                for kind, application_id in (
                    (CameraEvent.Kind.OFF, old_application_id),
                    (CameraEvent.Kind.ON, stream.application_id),
                ):
                    camera_event_record(
                        user_id=user.pk,
                        application_id=application_id,
                        kind=kind,
                        occurred_at=now,
                        device_label=device_label if kind == CameraEvent.Kind.ON else "",
                    )
            due = stream.last_broadcast_at is None or now - stream.last_broadcast_at >= coalesce
            if moved or changed_application or due:
                event = UPDATED
    else:
        if was_live:
            camera_event_record(
                user_id=user.pk,
                application_id=stream.application_id,
                kind=CameraEvent.Kind.OFF,
                occurred_at=now,
            )
        if stream.is_active:
            event = ENDED
    stream.is_active = is_active
    stream.last_updated = now
    if event:
        stream.last_broadcast_at = now
    stream.save()
    if not is_active:  # no camera, no live video: every watch of this candidate ends
        watch.relay_after_commit(
            watch.watches_end_for_candidate(candidate_id=user.pk, reason=watch.Reason.CAMERA_OFF)
        )
    if event:
        stream_announce(event, stream, with_snapshot=event == STARTED)
    if moved and old_organization_id is not None:
        # The stream left an organization's scope: its board must drop the card.
        ended = {**stream_payload(stream=stream), "is_active": False}
        stream_broadcast(
            event=ENDED,
            stream=ended,
            organization_id=None,
            extra_groups=[organization_group(old_organization_id)],
        )
    return stream


def camera_streams_touch(
    *, heartbeats: dict[int, int | None], now: datetime | None = None
) -> set[int]:
    """Refresh many live streams at once (heartbeats that arrived over WebSockets).

    `heartbeats` maps user id → the application id the page reported. Returns the user ids
    whose stream is live and was refreshed; any other id must use camera_stream_set_status
    (its stream went stale, ended, or changed application). Streams whose board has not heard
    of them for CAMERA_BOARD_COALESCE_SECONDS are announced in one message per board group.
    """
    if not heartbeats:
        return set()
    now = now or timezone.now()
    live = CameraStream.objects.live(now=now).filter(user_id__in=list(heartbeats))
    live_ids = {
        user_id
        for user_id, application_id in live.values_list("user_id", "application_id")
        if heartbeats[user_id] in (None, application_id)
    }
    if not live_ids:
        return set()
    coalesce = timedelta(seconds=settings.CAMERA_BOARD_COALESCE_SECONDS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        CameraStream.objects.filter(user_id__in=live_ids).update(last_updated=now)
        due = list(
            CameraStream.objects.select_related("user", "application__job").filter(
                user_id__in=live_ids, last_broadcast_at__lt=now - coalesce
            )
        )
        if due:
            CameraStream.objects.filter(pk__in=[s.pk for s in due]).update(last_broadcast_at=now)
    if due:
        by_group: dict[str, list[dict]] = {}
        for stream in due:
            stream.last_updated = now
            payload = board_payload(stream=stream, with_snapshot=False)
            for group in board_groups_for_stream(
                organization_id=organization_of(stream.application)
            ):
                by_group.setdefault(group, []).append(payload)
        stream_broadcast_batch(event=UPDATED, streams_by_group=by_group)
    return live_ids
