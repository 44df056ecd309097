"""What a live-board card shows beside the stream: the latest snapshot, the current
integrity incident and the identity check's state. monitoring calls these (cameras never
imports monitoring)."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from cameras.models import CameraStream

from .board import UPDATED, stream_announce


def _card_update(
    *,
    user_id: int,
    application_id: int,
    changes: dict,
    with_snapshot: bool,
    match: dict | None = None,
    unless: Callable[[CameraStream], bool] | None = None,
) -> bool:
    """Lock the candidate's stream of this interview, change the card's fields, and tell the
    boards (after the commit) if the stream is live. False when there is no such stream, or
    `unless(stream)` says the change does not apply."""
    with transaction.atomic():
        stream = (
            # The stream's row only: FOR UPDATE over the joined rows would lock the application
            # too, after the stream — the reverse of a withdrawal's order (application, then
            # stream): the two deadlocked in a browser test (tests/cameras/test_locking.py).
            CameraStream.objects.select_for_update(of=("self",))
            .select_related("user", "application__job")
            .filter(user_id=user_id, application_id=application_id, **(match or {}))
            .first()
        )
        if stream is None or (unless is not None and unless(stream)):
            return False
        for name, value in changes.items():
            setattr(stream, name, value)
        stream.save(update_fields=list(changes))
        if stream.is_live():
            stream_announce(UPDATED, stream, with_snapshot=with_snapshot)
    return True


def camera_stream_snapshot(
    *, user_id: int, application_id: int, key: str, captured_at: datetime
) -> bool:
    """A new camera snapshot of a live stream: its board card shows it at once.

    Called by monitoring after an image is stored. Older captures (a queue draining late)
    do not replace a newer picture. Returns whether the card was updated.

    One conditional `UPDATE` (the newer picture wins in the statement itself), then the card
    read for the boards only when it changed and its camera is live — not a transaction
    with a row lock around a read, on every camera capture (issue 40).
    """
    # The same picture again counts too: a task retried after its message failed tells the
    # boards again (they are told of it twice at worst).
    newer = Q(snapshot_at__isnull=True) | Q(snapshot_at__lt=captured_at)
    again = Q(snapshot_at=captured_at, snapshot_key=key)
    changed = (
        CameraStream.objects.filter(user_id=user_id, application_id=application_id)
        .filter(newer | again)
        .update(snapshot_key=key, snapshot_at=captured_at)
    )
    if not changed:
        return False
    stream = (
        CameraStream.objects.live()
        .select_related("user", "application__job")
        .filter(user_id=user_id, application_id=application_id)
        .first()
    )
    if stream is not None:
        stream_announce(UPDATED, stream, with_snapshot=True)
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
    return _card_update(
        user_id=user_id,
        application_id=application_id,
        changes={"snapshot_key": key, "snapshot_at": captured_at},
        with_snapshot=True,
        match={"snapshot_key": removed_key},
    )


_KEEP = object()


def camera_stream_incident(
    *, user_id: int, application_id: int, incident: dict | None, identity=_KEEP
) -> bool:
    """Show (or clear) the current integrity incident on the candidate's board card — and,
    when given, the identity check's state with it (one message for both).

    Called by monitoring whenever it recomputes incidents; broadcasts only on a change.
    """
    changes = {"incident": incident}
    if identity is not _KEEP:
        changes["identity"] = identity
    # Nearly every recomputation leaves the card as it is: one plain read says so, without
    # the transaction and row lock a change takes (issue 40). A change is checked again there.
    shown = (
        CameraStream.objects.filter(user_id=user_id, application_id=application_id)
        .order_by("pk")
        .values(*changes)
        .first()
    )
    if shown is None or all(shown[k] == v for k, v in changes.items()):
        return False
    return _card_update(
        user_id=user_id,
        application_id=application_id,
        changes=changes,
        with_snapshot=False,
        unless=lambda stream: all(getattr(stream, k) == v for k, v in changes.items()),
    )


def camera_stream_identity(*, user_id: int, application_id: int, identity: dict | None) -> bool:
    """Show the interview's identity check on the candidate's board card (`{"state",
    "label"}`, None when identity is not checked). Called by monitoring when it may have
    changed; broadcasts only on a change."""
    return _card_update(
        user_id=user_id,
        application_id=application_id,
        changes={"identity": identity},
        with_snapshot=False,
        unless=lambda stream: stream.identity == identity,
    )
