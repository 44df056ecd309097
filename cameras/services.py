"""Camera presence: every change of a stream goes through here, then reaches the boards.

A status call is a heartbeat when the stream is already live: most heartbeats are a single
UPDATE with no lock and no broadcast. Anything visible (on, off, application changed, or a
coalesced refresh at most every CAMERA_BOARD_COALESCE_SECONDS) is broadcast after commit.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from applications.services import recording_check
from common import pipeline
from common.errors import NotAllowed
from common.time import iso_utc

from . import watch
from .groups import board_groups_for_stream, organization_group
from .models import CameraEvent, CameraStream
from .selectors import active_streams_for_user, board_payload, stream_payload
from .signals import camera_event_recorded, snapshot_urls_signed

logger = logging.getLogger(__name__)

STARTED = "stream.started"
UPDATED = "stream.updated"
ENDED = "stream.ended"


def _organization_id(application: JobApplication | None) -> int | None:
    return application.job.organization_id if application is not None else None


def stream_broadcast(
    *, event: str, stream: dict, organization_id: int | None, extra_groups: list[str] | None = None
) -> None:
    """After the commit, one board message to every group that may see the stream (a board
    that misses one re-reads its snapshot on reconnect)."""
    message = {"type": "stream.message", "event": event, "stream": stream}
    for group in [*board_groups_for_stream(organization_id=organization_id), *(extra_groups or [])]:
        pipeline.group_send(group, message)


def _broadcast(
    event: str, stream: CameraStream, *, with_snapshot: bool = False, ended_by: str = ""
) -> None:
    """One board message (after the commit) to every group that may see the stream. A message
    that carries a freshly signed snapshot URL is audited once, naming the groups it goes to.
    `ended_by` says why a stream ended when the candidate did not end it ("timeout")."""
    payload = board_payload(stream=stream, with_snapshot=with_snapshot)
    if ended_by:
        payload["ended_by"] = ended_by
    organization_id = _organization_id(stream.application)
    stream_broadcast(event=event, stream=payload, organization_id=organization_id)
    if payload.get("snapshot_url"):
        groups = board_groups_for_stream(organization_id=organization_id)
        snapshot_urls_signed.send(
            sender=CameraStream,
            snapshots=[(stream.snapshot_key, stream.application_id)],
            actor=None,
            audience=", ".join(groups),
        )


def board_snapshot(*, user: User) -> dict:
    """What a board shows when it (re)connects or asks again: every live stream it may see,
    with freshly signed snapshots (audited as issued to this viewer)."""
    streams = list(active_streams_for_user(user=user))
    payloads = [board_payload(stream=s) for s in streams]
    signed = [(s.snapshot_key, s.application_id) for s in streams if s.snapshot_key]
    if signed:
        snapshot_urls_signed.send(sender=CameraStream, snapshots=signed, actor=user, audience="")
    return {
        "type": "snapshot",
        "streams": payloads,
        "timeout": settings.CAMERA_STREAM_TIMEOUT,
        "server_time": iso_utc(timezone.now()),
    }


def _record_event(
    *, user_id: int, application_id: int | None, kind: str, occurred_at: datetime
) -> CameraEvent:
    """A change of the stream's history; the floors above hear of it in this transaction
    (and defer their work through the pipeline)."""
    event = CameraEvent.objects.create(
        user_id=user_id, application_id=application_id, kind=kind, occurred_at=occurred_at
    )
    camera_event_recorded.send(
        sender=CameraEvent,
        event_id=event.pk,
        application_id=event.application_id,
        kind=kind,
        occurred_at=occurred_at,
    )
    return event


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
) -> CameraStream | None:
    """Turn the caller's camera on or off, or keep it fresh (a heartbeat).

    Returns the stream, or None when the fast heartbeat path refreshed it without reading it.
    `application` (one the caller may see) must be the user's own: a stream belongs to the
    candidate's interview, never to someone else's.
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
        return _set_status_locked(user=user, is_active=is_active, application=application, now=now)


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


def _set_status_locked(*, user, is_active, application, now) -> CameraStream:
    stream, created = CameraStream.objects.select_for_update().get_or_create(
        user=user, defaults={"last_updated": now, "application": application}
    )
    if not created:
        stream = CameraStream.objects.select_related("application__job").get(pk=stream.pk)
    was_live = not created and stream.is_live(now=now)
    old_organization_id = _organization_id(stream.application)
    old_application_id = stream.application_id
    if stream.is_active and not was_live and not created:
        # Went silent and nobody swept it yet: record when the heartbeat was lost.
        _record_event(
            user_id=user.pk,
            application_id=stream.application_id,
            kind=CameraEvent.Kind.TIMEOUT,
            occurred_at=stream.last_updated,
        )
    if application is None and is_active:
        application = _seed_client_application(user=user, stream=stream)
        stream.application = application
    elif application is not None:
        stream.application = application
    new_organization_id = _organization_id(stream.application)
    moved = was_live and old_organization_id != new_organization_id

    event = None
    if is_active:
        if not was_live:
            stream.started_at = now
            _record_event(
                user_id=user.pk,
                application_id=stream.application_id,
                kind=CameraEvent.Kind.ON,
                occurred_at=now,
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
                    _record_event(
                        user_id=user.pk,
                        application_id=application_id,
                        kind=kind,
                        occurred_at=now,
                    )
            due = stream.last_broadcast_at is None or now - stream.last_broadcast_at >= coalesce
            if moved or changed_application or due:
                event = UPDATED
    else:
        if was_live:
            _record_event(
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
        _broadcast(event, stream, with_snapshot=event == STARTED)
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


def camera_streams_end_stale(*, now: datetime | None = None) -> int:
    """End every stream whose heartbeat stopped; each board hears `stream.ended`. Also turn off
    any live stream whose interview may not be recorded any more (the applications receivers
    do that at once; this catches a change they never heard of).

    Safe to run concurrently (Celery beat and the embedded runner): rows are locked and
    re-checked, so each stale stream ends once.
    """
    now = now or timezone.now()
    for stream in CameraStream.objects.live(now=now).not_recordable().select_related("user")[:1000]:
        camera_stream_stop(user=stream.user, application_id=stream.application_id, now=now)
    ended = 0
    stale = CameraStream.objects.stale(now=now)
    for stream_id in list(stale.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            stream = stale.select_for_update().filter(pk=stream_id).first()
            if stream is None:
                continue
            stream = CameraStream.objects.select_related("user", "application__job").get(
                pk=stream.pk
            )
            _record_event(
                user_id=stream.user_id,
                application_id=stream.application_id,
                kind=CameraEvent.Kind.TIMEOUT,
                occurred_at=stream.last_updated,
            )
            stream.is_active = False
            stream.save(update_fields=["is_active"])
            _broadcast(ENDED, stream, ended_by="timeout")
            watch.relay_after_commit(
                watch.watches_end_for_candidate(
                    candidate_id=stream.user_id, reason=watch.Reason.CAMERA_OFF
                )
            )
            ended += 1
    if ended:
        logger.info("Ended %d stale camera stream(s)", ended)
    return ended


def camera_stream_snapshot(
    *, user_id: int, application_id: int, key: str, captured_at: datetime
) -> bool:
    """A new camera snapshot of a live stream: its board card shows it at once.

    Called by monitoring after an image is stored. Older captures (a queue draining late)
    do not replace a newer picture. Returns whether the card was updated.
    """
    with transaction.atomic():
        stream = (
            CameraStream.objects.select_for_update()
            .select_related("user", "application__job")
            .filter(user_id=user_id, application_id=application_id)
            .first()
        )
        if stream is None or (stream.snapshot_at and stream.snapshot_at >= captured_at):
            return False
        stream.snapshot_key = key
        stream.snapshot_at = captured_at
        stream.save(update_fields=["snapshot_key", "snapshot_at"])
        if stream.is_live():
            _broadcast(UPDATED, stream, with_snapshot=True)
    return True


def camera_stream_snapshot_replace(
    *,
    user_id: int,
    application_id: int,
    removed_key: str,
    key: str,
    captured_at: datetime | None,
) -> bool:
    """A snapshot was deleted: if the card shows it, show `key` instead (or the camera icon).

    Called by monitoring with the previous snapshot of the interview, if any.
    """
    with transaction.atomic():
        stream = (
            CameraStream.objects.select_for_update()
            .select_related("user", "application__job")
            .filter(user_id=user_id, application_id=application_id, snapshot_key=removed_key)
            .first()
        )
        if stream is None:
            return False
        stream.snapshot_key = key
        stream.snapshot_at = captured_at
        stream.save(update_fields=["snapshot_key", "snapshot_at"])
        if stream.is_live():
            _broadcast(UPDATED, stream, with_snapshot=True)
    return True


def camera_stream_incident(*, user_id: int, application_id: int, incident: dict | None) -> bool:
    """Show (or clear) the current integrity incident on the candidate's board card.

    Called by monitoring whenever it recomputes incidents; broadcasts only on a change.
    """
    with transaction.atomic():
        stream = (
            CameraStream.objects.select_for_update()
            .select_related("user", "application__job")
            .filter(user_id=user_id, application_id=application_id)
            .first()
        )
        if stream is None or stream.incident == incident:
            return False
        stream.incident = incident
        stream.save(update_fields=["incident"])
        if stream.is_live():
            _broadcast(UPDATED, stream)
    return True


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
                organization_id=_organization_id(stream.application)
            ):
                by_group.setdefault(group, []).append(payload)
        stream_broadcast_batch(event=UPDATED, streams_by_group=by_group)
    return live_ids


def stream_broadcast_batch(*, event: str, streams_by_group: dict[str, list[dict]]) -> None:
    """One channel-layer message per board group, carrying many streams (after the commit)."""
    for group, streams in streams_by_group.items():
        pipeline.group_send(group, {"type": "stream.batch", "event": event, "streams": streams})


# --- Privacy: what erasure and retention remove here ------------------------------------------


def camera_history_delete(*, application_ids: list[int]) -> int:
    """Forget the camera history of these interviews: their on/off/silent events, and the board
    picture and incident a stream still shows for them. Returns the rows deleted."""
    deleted, _ = CameraEvent.objects.filter(application_id__in=application_ids).delete()
    CameraStream.objects.filter(application_id__in=application_ids).update(
        snapshot_key="", snapshot_at=None, incident=None
    )
    return deleted


def camera_presence_erase(*, user_id: int) -> int:
    """Forget a person's camera presence altogether: their stream and every camera event."""
    deleted, _ = CameraEvent.objects.filter(user_id=user_id).delete()
    streams, _ = CameraStream.objects.filter(user_id=user_id).delete()
    return deleted + streams
