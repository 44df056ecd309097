"""What the live boards hear: one message per change, after the commit, to every board group
that may see the stream (a board that misses one re-reads its snapshot on reconnect)."""

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from cameras.groups import board_groups_for_stream
from cameras.models import CameraStream
from cameras.proctoring import hands_raised, warning_templates
from cameras.selectors import active_streams_for_user, board_payload
from cameras.signals import snapshot_urls_signed
from common import pipeline
from common.time import iso_utc

STARTED = "stream.started"

UPDATED = "stream.updated"

ENDED = "stream.ended"


def organization_of(application: JobApplication | None) -> int | None:
    return application.job.organization_id if application is not None else None


def stream_broadcast(
    *, event: str, stream: dict, organization_id: int | None, extra_groups: list[str] | None = None
) -> None:
    """After the commit, one board message to every group that may see the stream (a board
    that misses one re-reads its snapshot on reconnect)."""
    message = {"type": "stream.message", "event": event, "stream": stream}
    for group in [*board_groups_for_stream(organization_id=organization_id), *(extra_groups or [])]:
        pipeline.group_send(group, message)


def stream_announce(
    event: str, stream: CameraStream, *, with_snapshot: bool = False, ended_by: str = ""
) -> None:
    """One board message (after the commit) to every group that may see the stream. A message
    that carries a freshly signed snapshot URL is audited once, naming the groups it goes to.
    `ended_by` says why a stream ended when the candidate did not end it ("timeout")."""
    payload = board_payload(stream=stream, with_snapshot=with_snapshot)
    if ended_by:
        payload["ended_by"] = ended_by
    organization_id = organization_of(stream.application)
    if payload.get("snapshot_url"):  # audited before it is sent (outside a transaction too)
        groups = board_groups_for_stream(organization_id=organization_id)
        snapshot_urls_signed.send(
            sender=CameraStream,
            snapshots=[(stream.snapshot_key, stream.application_id)],
            actor=None,
            audience=", ".join(groups),
        )
    stream_broadcast(event=event, stream=payload, organization_id=organization_id)


def board_snapshot(*, user: User) -> dict:
    """What a board shows when it (re)connects or asks again: every live stream it may see,
    with freshly signed snapshots (audited as issued to this viewer)."""
    streams = list(active_streams_for_user(user=user))
    payloads = [board_payload(stream=s) for s in streams]
    hands = hands_raised(application_ids=[s.application_id for s in streams if s.application_id])
    for payload in payloads:
        payload["hand_raised_at"] = hands.get(payload["application_id"])
    signed = [(s.snapshot_key, s.application_id) for s in streams if s.snapshot_key]
    if signed:
        snapshot_urls_signed.send(sender=CameraStream, snapshots=signed, actor=user, audience="")
    return {
        "type": "snapshot",
        "streams": payloads,
        "timeout": settings.CAMERA_STREAM_TIMEOUT,
        "server_time": iso_utc(timezone.now()),
        "warnings": warning_templates(organization_id=user.organization_id),
    }


def stream_broadcast_batch(*, event: str, streams_by_group: dict[str, list[dict]]) -> None:
    """One channel-layer message per board group, carrying many streams (after the commit)."""
    for group, streams in streams_by_group.items():
        pipeline.group_send(group, {"type": "stream.batch", "event": event, "streams": streams})
