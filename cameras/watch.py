"""Watch live: the signalling of a peer-to-peer video from a candidate's page to a reviewer's
board (WebRTC), routed through the channel layer to exactly the two sockets of a watch.

The server never sees the video. It decides who may watch whom (the board's scoping), counts
viewers per candidate across processes (LiveWatch rows, counted under the stream's row lock),
assigns each watch its `watch_id`, and relays `watch.offer` / `watch.answer` / `watch.ice`
only between the two channels recorded for that watch. Everything here is synchronous and
returns the messages to send as (channel, message) pairs: the consumers send them with
`await`, receivers and services through `relay_after_commit`.
"""

import base64
import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from applications.selectors import applications_for_user, consent_active
from common import pipeline

from .models import CameraStream, LiveWatch
from .selectors import active_streams_for_user
from .signals import live_watch_ended

logger = logging.getLogger(__name__)

RELAY = "watch.relay"  # the consumers' handler: send `message` to the socket as it is
Reason = LiveWatch.EndReason
Outbox = list[tuple[str, dict]]


@dataclass
class WatchRefused(Exception):
    code: str  # not_visible | not_live | too_many_viewers | consent_outdated | invalid
    message: str


def _relay(channel: str, message: dict) -> tuple[str, dict]:
    return channel, {"type": RELAY, "message": message}


def turn_credentials(*, watch_id: str, expires: datetime) -> tuple[str, str]:
    """Credentials of the TURN REST scheme (coturn's `use-auth-secret`): the user name is
    `<expiry epoch seconds>:<watch id>`, the password base64(HMAC-SHA1(secret, user name)).
    The TURN server checks both itself, so they stop working when the watch could be over."""
    username = f"{int(expires.timestamp())}:{watch_id}"
    digest = hmac.new(
        settings.WEBRTC_TURN_SECRET.encode(), username.encode(), hashlib.sha1
    ).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(watch: LiveWatch) -> list:
    """The ICE servers of one watch: WEBRTC_ICE_SERVERS as configured, except that with
    WEBRTC_TURN_SECRET set every TURN server gets credentials of this watch, valid until its
    time limit plus a minute (static TURN passwords would be an open relay for anyone ever
    watched)."""
    servers = [dict(server) for server in settings.WEBRTC_ICE_SERVERS]
    if not settings.WEBRTC_TURN_SECRET:
        return servers
    expires = watch.started_at + timedelta(seconds=settings.LIVE_WATCH_MAX_SECONDS + 60)
    username, credential = turn_credentials(watch_id=str(watch.watch_id), expires=expires)
    for server in servers:
        urls = server.get("urls", [])
        urls = [urls] if isinstance(urls, str) else urls
        if any(str(url).startswith(("turn:", "turns:")) for url in urls):
            server.update(username=username, credential=credential)
    return servers


# --- The candidate's presence socket -------------------------------------------------------


def presence_register(*, user_id: int, application_id: int, channel: str) -> Outbox:
    """This socket is now the candidate's most recent one for the interview: requests go
    here. Watches still bound to an older socket of theirs cannot be relayed: they end."""
    updated = CameraStream.objects.filter(user_id=user_id, application_id=application_id).update(
        presence_channel=channel
    )
    if not updated:
        return []
    stale = LiveWatch.objects.filter(candidate_id=user_id, ended_at__isnull=True).exclude(
        candidate_channel=channel
    )
    return _end(stale, reason=Reason.REPLACED)


def presence_forget(*, channel: str) -> Outbox:
    """The presence socket closed: nobody can reach this page any more."""
    CameraStream.objects.filter(presence_channel=channel).update(presence_channel="")
    return watches_end_for_channel(channel=channel)


# --- Requests from a board -----------------------------------------------------------------


def watch_request(*, viewer: User, user_id, viewer_channel: str) -> Outbox:
    """A reviewer asks to watch a candidate on their board. Refusals raise WatchRefused."""
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**63:
        raise WatchRefused("invalid", "user_id must be the candidate's id (an integer).")
    stream = active_streams_for_user(user=viewer).filter(user_id=user_id).first()
    if stream is None:
        visible = applications_for_user(user=viewer).filter(candidate_id=user_id).exists()
        if visible:
            raise WatchRefused("not_live", "This candidate's camera is not on right now.")
        raise WatchRefused("not_visible", "This candidate is not on your board.")
    consent = (
        consent_active(application_id=stream.application_id) if stream.application_id else None
    )
    if stream.application_id and (consent is None or consent.outdated):
        raise WatchRefused(
            "consent_outdated",
            "The candidate has not agreed to the current monitoring notice (which covers live "
            "watching): they are asked again on their page.",
        )
    maximum = settings.LIVE_VIEWERS_MAX
    with transaction.atomic():
        stream = CameraStream.objects.select_for_update().get(pk=stream.pk)
        if not stream.presence_channel:
            raise WatchRefused(
                "not_live", "The candidate's page is not connected for live video right now."
            )
        watching = LiveWatch.objects.filter(candidate_id=user_id, ended_at__isnull=True)
        if watching.filter(viewer_channel=viewer_channel).exists():
            raise WatchRefused("invalid", "This board is already watching this candidate.")
        if watching.count() >= maximum:
            raise WatchRefused(
                "too_many_viewers",
                f"{maximum} reviewers are already watching this candidate; try again when one "
                "stops.",
            )
        watch = LiveWatch.objects.create(
            viewer=viewer,
            candidate_id=user_id,
            application_id=stream.application_id,
            viewer_channel=viewer_channel,
            candidate_channel=stream.presence_channel,
            started_at=timezone.now(),
        )
    base = {
        "type": "watch.request",
        "watch_id": str(watch.watch_id),
        "ice_servers": ice_servers(watch),
    }
    return [
        _relay(watch.candidate_channel, {**base, "viewer_name": viewer.display_name}),
        _relay(viewer_channel, {**base, "user_id": user_id}),
    ]


# --- Relayed messages ----------------------------------------------------------------------

# Who may send what, and what of it is passed on (nothing else is).
FROM_CANDIDATE = {"watch.offer": ("sdp",), "watch.ice": ("candidate",)}
FROM_VIEWER = {"watch.answer": ("sdp",), "watch.ice": ("candidate",)}
MAX_FIELD = 32_000  # an SDP is a few KB; the socket's own limit is larger


def watch_relay(*, content: dict, channel: str, side: str) -> Outbox:
    """Pass an offer, answer or ICE candidate to the other party of this socket's watch."""
    allowed = FROM_CANDIDATE if side == "candidate" else FROM_VIEWER
    kind = content.get("type")
    if kind not in allowed:
        raise WatchRefused("invalid", f"A {side} does not send {kind}.")
    watch = _own_watch(content.get("watch_id"), channel=channel, side=side)
    message = {"type": kind, "watch_id": str(watch.watch_id)}
    for field in allowed[kind]:
        value = content.get(field)
        if field == "sdp" and (not isinstance(value, str) or not 0 < len(value) <= MAX_FIELD):
            raise WatchRefused("invalid", "sdp must be a session description (text).")
        if field == "candidate" and not (value is None or isinstance(value, dict)):
            raise WatchRefused("invalid", "candidate must be an ICE candidate object or null.")
        if field == "candidate" and value is not None and len(str(value)) > 2_000:
            raise WatchRefused("invalid", "That ICE candidate is too large.")
        message[field] = value
    other = watch.viewer_channel if side == "candidate" else watch.candidate_channel
    return [_relay(other, message)]


def watch_end(*, content: dict, channel: str, side: str) -> Outbox:
    """Either party ends its watch; the other hears `watch.end`."""
    watch = _own_watch(content.get("watch_id"), channel=channel, side=side)
    reason = Reason.VIEWER if side == "viewer" else Reason.CANDIDATE
    return _end(LiveWatch.objects.filter(pk=watch.pk), reason=reason, skip=channel)


def _own_watch(watch_id, *, channel: str, side: str) -> LiveWatch:
    try:
        key = uuid.UUID(str(watch_id))
    except ValueError:
        raise WatchRefused("invalid", "watch_id is not one of your watches.") from None
    mine = {"viewer_channel" if side == "viewer" else "candidate_channel": channel}
    watch = LiveWatch.objects.filter(watch_id=key, ended_at__isnull=True, **mine).first()
    if watch is None:
        # A candidate's page cannot offer what nobody asked for; nobody relays to a stranger.
        raise WatchRefused("invalid", "watch_id is not one of your watches.")
    return watch


# --- Ending ----------------------------------------------------------------------------------


def watches_end_for_channel(*, channel: str) -> Outbox:
    """A socket closed: every watch it took part in ends; the other parties hear of it."""
    watches = LiveWatch.objects.filter(ended_at__isnull=True).filter(
        Q(viewer_channel=channel) | Q(candidate_channel=channel)
    )
    return _end(watches, reason=Reason.SOCKET_CLOSED, skip=channel)


def watches_end_expired(*, now: datetime | None = None) -> Outbox:
    """Watches that reached LIVE_WATCH_MAX_SECONDS end (their TURN credentials expire a minute
    later); the board may ask again."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.LIVE_WATCH_MAX_SECONDS)
    expired = LiveWatch.objects.filter(ended_at__isnull=True, started_at__lt=cutoff)
    return _end(expired, reason=Reason.TIME_LIMIT)


def watches_end_for_candidate(
    *, candidate_id: int, reason: str, application_id: int | None = None
) -> Outbox:
    """The camera went off, the interview ended, consent was withdrawn: every watch ends."""
    watches = LiveWatch.objects.filter(candidate_id=candidate_id, ended_at__isnull=True)
    if application_id is not None:
        watches = watches.filter(application_id=application_id)
    return _end(watches, reason=reason)


def _end(watches, *, reason: str, skip: str = "") -> Outbox:
    now = timezone.now()
    out: Outbox = []
    ended = []
    for watch in watches.select_related("viewer", "candidate"):
        if LiveWatch.objects.filter(pk=watch.pk, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason
        ):
            watch.ended_at, watch.end_reason = now, reason
            ended.append(watch)
            message = {"type": "watch.end", "watch_id": str(watch.watch_id), "reason": reason}
            for channel in (watch.viewer_channel, watch.candidate_channel):
                if channel and channel != skip:
                    out.append(_relay(channel, message))
    for watch in ended:  # the audit records it with the change
        live_watch_ended.send(sender=LiveWatch, watch=watch)
    return out


def relay_after_commit(outbox: Outbox) -> None:
    """From synchronous code (receivers, services): each message, once the change commits."""
    for channel, message in outbox:
        pipeline.channel_send(channel, message)
