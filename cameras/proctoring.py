"""Live proctoring on the sockets the pages already hold: messages both ways, warnings (a
reviewer's message marked as such), a raised hand, and the word that an interview was ended.

A message is stored first (ProctorMessage: sender, server time, delivery state), then sent
after the commit to every board that may see the candidate (the board groups of the
interview's organization) and to every page of the candidate (their presence group): each
socket shows what it hears. A candidate whose page is closed gets what waits when a page
connects (`proctor_pending`). Who may write to whom is the board's scope: a recruiter writes to
candidates of their organization's interviews under way, an admin to any; a candidate writes
about their own interview under way. Refusals raise ProctorRefused with the socket's codes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from applications.selectors import applications_for_user
from common import pipeline
from common.time import iso_utc

from .groups import board_groups_for_stream, candidate_group, conversation_group
from .models import DEFAULT_WARNINGS, CameraStream, ProctorMessage, WarningTemplate
from .signals import proctor_message_sent

EVENT = "proctor.event"  # the consumers' handler: show `message` on the socket
Kind = ProctorMessage.Kind
Side = ProctorMessage.Side
HANDS = (Kind.HAND_RAISED, Kind.HAND_LOWERED)
LATEST = F("started_at").desc(nulls_last=True)  # the interview begun last (not yet: last)


@dataclass
class ProctorRefused(Exception):
    code: str  # not_visible | too_long | invalid
    message: str


# --- Payloads --------------------------------------------------------------------------------


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "A deleted account"


def message_payload(message: ProctorMessage) -> dict:
    """`message` as both sockets send it (DESIGN.md, live proctoring)."""
    return {
        "type": "message",
        "id": message.pk,
        "from": {"side": message.side, "name": _name(message.sender)},
        "text": message.text,
        "warning": message.kind == Kind.WARNING,
        "sent_at": iso_utc(message.sent_at),
        "user_id": message.candidate_id,
        "application_id": message.application_id,
    }


def hand_payload(message: ProctorMessage) -> dict:
    raised = message.kind == Kind.HAND_RAISED
    return {
        "type": "hand.raised" if raised else "hand.lowered",
        "user_id": message.candidate_id,
        "application_id": message.application_id,
        "name": message.candidate.display_name,
        "at": iso_utc(message.sent_at),
        "by": message.side,
        **({} if raised or message.side == Side.CANDIDATE else {"by_name": _name(message.sender)}),
    }


def payload(message: ProctorMessage) -> dict:
    return hand_payload(message) if message.kind in HANDS else message_payload(message)


def _broadcast(message: dict, *, application: JobApplication) -> None:
    """After the commit: every board that may see the candidate, every page of theirs."""
    event = {"type": EVENT, "message": message}
    for group in board_groups_for_stream(organization_id=application.job.organization_id):
        pipeline.group_send(group, event)
    pipeline.group_send(candidate_group(application.candidate_id), event)
    pipeline.group_send(conversation_group(application.pk), event)


def _store(
    *, application: JobApplication, sender: User | None, side: str, kind: str, text: str = ""
) -> ProctorMessage:
    message = ProctorMessage.objects.create(
        application=application,
        candidate_id=application.candidate_id,
        sender=sender,
        side=side,
        kind=kind,
        text=text,
        sent_at=timezone.now(),
    )
    message.candidate = application.candidate
    proctor_message_sent.send(sender=ProctorMessage, message=message)  # the audit
    _broadcast(payload(message), application=application)
    return message


# --- Checks ----------------------------------------------------------------------------------


def _text(text) -> str:
    if not isinstance(text, str) or "\x00" in text:
        raise ProctorRefused("invalid", "text must be a string.")
    text = text.strip()
    if not text:
        raise ProctorRefused("invalid", "Write something to send.")
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise ProctorRefused(
            "too_long", f"A message is at most {settings.MESSAGE_MAX_CHARS} characters."
        )
    return text


def _user_id(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise ProctorRefused("invalid", "user_id must be the candidate's id (an integer).")
    return value


def interview_for_reviewer(
    *, reviewer: User, user_id, application_id: int | None = None
) -> JobApplication:
    """The candidate's interview under way that this reviewer's board may see: the one named
    (a timeline), else the one their camera streams for, else the latest started."""
    user_id = _user_id(user_id)
    visible = applications_for_user(user=reviewer).filter(
        candidate_id=user_id, status=JobApplication.Status.IN_PROGRESS
    )
    if application_id is not None:
        visible = visible.filter(pk=application_id)
    stream = CameraStream.objects.filter(user_id=user_id).values_list("application_id").first()
    chosen = visible.filter(pk=stream[0]).first() if stream and stream[0] else None
    chosen = chosen or visible.order_by(LATEST, "-id").first()
    if chosen is None:
        raise ProctorRefused(
            "not_visible", "This candidate has no interview under way on your board."
        )
    return chosen


def interview_for_candidate(*, candidate: User, application_id=None) -> JobApplication:
    """The candidate's own interview under way (the one their page named, if it did)."""
    if application_id is not None and (
        not isinstance(application_id, int)
        or isinstance(application_id, bool)
        or not 0 < application_id < 2**63
    ):
        raise ProctorRefused("invalid", "application_id must be an interview's id (an integer).")
    mine = JobApplication.objects.select_related("job", "candidate").filter(
        candidate=candidate, status=JobApplication.Status.IN_PROGRESS
    )
    if application_id is not None:
        mine = mine.filter(pk=application_id)
    chosen = mine.order_by(LATEST, "-id").first()
    if chosen is None:
        raise ProctorRefused("not_visible", "You have no interview under way to write about.")
    return chosen


# --- Services --------------------------------------------------------------------------------


def proctor_message_send(
    *, reviewer: User, user_id, text, warning: bool = False, application_id: int | None = None
) -> ProctorMessage:
    """A reviewer writes to (or warns) a candidate; a raised hand counts as answered."""
    text = _text(text)
    if not isinstance(warning, bool):
        raise ProctorRefused("invalid", "warning must be true or false.")
    with transaction.atomic():
        application = interview_for_reviewer(
            reviewer=reviewer, user_id=user_id, application_id=application_id
        )
        JobApplication.objects.lock(application.pk)
        message = _store(
            application=application,
            sender=reviewer,
            side=Side.REVIEWER,
            kind=Kind.WARNING if warning else Kind.MESSAGE,
            text=text,
        )
        if hand_raised_at(application_id=application.pk):
            _store(
                application=application,
                sender=reviewer,
                side=Side.REVIEWER,
                kind=Kind.HAND_LOWERED,
            )
    return message


def proctor_reply(*, candidate: User, text, application_id=None) -> ProctorMessage:
    """The candidate writes to the reviewers of their interview."""
    text = _text(text)
    with transaction.atomic():
        application = interview_for_candidate(candidate=candidate, application_id=application_id)
        return _store(
            application=application,
            sender=candidate,
            side=Side.CANDIDATE,
            kind=Kind.MESSAGE,
            text=text,
        )


def proctor_hand(*, candidate: User, raised: bool, application_id=None) -> ProctorMessage | None:
    """The candidate raises (or lowers) their hand; None when it already is so."""
    with transaction.atomic():
        application = interview_for_candidate(candidate=candidate, application_id=application_id)
        JobApplication.objects.lock(application.pk)
        if bool(hand_raised_at(application_id=application.pk)) == raised:
            return None
        return _store(
            application=application,
            sender=candidate,
            side=Side.CANDIDATE,
            kind=Kind.HAND_RAISED if raised else Kind.HAND_LOWERED,
        )


def proctor_pending(*, candidate_id: int) -> list[dict]:
    """What reviewers wrote to this candidate while no page of theirs was open: delivered now
    (oldest first) to the page that connects. Nearly always there is none: one plain read
    then (every page that opens asks), the lock only when there is something to deliver."""
    undelivered = ProctorMessage.objects.filter(
        candidate_id=candidate_id,
        side=Side.REVIEWER,
        kind__in=(Kind.MESSAGE, Kind.WARNING),
        delivered_at__isnull=True,
    )
    if not undelivered.exists():
        return []
    with transaction.atomic():
        waiting = list(
            undelivered.select_for_update(of=("self",))
            .select_related("sender")
            .order_by("sent_at", "id")
        )
        ProctorMessage.objects.filter(pk__in=[m.pk for m in waiting]).update(
            delivered_at=timezone.now()
        )
    return [message_payload(m) for m in waiting]


def proctor_delivered(*, message_id: int) -> None:
    """A page of the other side received it (the first one stamps the time)."""
    ProctorMessage.objects.filter(pk=message_id, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )


def interview_ended_announce(*, application: JobApplication) -> None:
    """A reviewer ended the interview: the candidate's pages stop at once and show why; the
    boards say so (after the commit)."""
    _broadcast(
        {
            "type": "interview.terminated",
            "user_id": application.candidate_id,
            "application_id": application.pk,
            "name": application.candidate.display_name,
            "reason": application.termination_reason,
            "at": iso_utc(application.terminated_at),
        },
        application=application,
    )


# --- Reads -----------------------------------------------------------------------------------


def hand_raised_at(*, application_id: int):
    """When the candidate raised their hand, if it is up now (the latest hand row says so)."""
    latest = (
        ProctorMessage.objects.filter(application_id=application_id, kind__in=HANDS)
        .order_by("-sent_at", "-id")
        .values_list("kind", "sent_at")
        .first()
    )
    return latest[1] if latest and latest[0] == Kind.HAND_RAISED else None


def hands_raised(*, application_ids: list[int]) -> dict[int, str]:
    """Of these interviews, those whose candidate's hand is up: id → raised at (ISO)."""
    rows = (
        ProctorMessage.objects.filter(application_id__in=application_ids, kind__in=HANDS)
        .order_by("application_id", "-sent_at", "-id")
        .values_list("application_id", "kind", "sent_at")
    )
    out: dict[int, str] = {}
    seen: set[int] = set()
    for application_id, kind, sent_at in rows:
        if application_id in seen:
            continue
        seen.add(application_id)
        if kind == Kind.HAND_RAISED:
            out[application_id] = iso_utc(sent_at)
    return out


def conversation(*, application_id: int, limit: int | None = None) -> list[dict]:
    """The interview's proctoring lines, oldest first, as the sockets send them."""
    rows = (
        ProctorMessage.objects.filter(application_id=application_id)
        .select_related("sender", "candidate")
        .order_by("sent_at", "id")
    )
    lines = [payload(m) for m in rows]
    return lines[-limit:] if limit is not None else lines


def warning_templates(*, organization_id: int | None) -> list[str]:
    """The organization's warnings (DEFAULT_WARNINGS when it keeps none)."""
    texts = (
        list(
            WarningTemplate.objects.filter(organization_id=organization_id).values_list(
                "text", flat=True
            )
        )
        if organization_id
        else []
    )
    return texts or list(DEFAULT_WARNINGS)


def proctor_log(*, application: JobApplication) -> list[dict]:
    """The interview's live proctoring as the timeline and the report show it, in time order:
    each message, warning and hand, and the end if a reviewer ended it."""
    rows = ProctorMessage.objects.filter(application_id=application.pk).select_related("sender")
    lines = [
        {
            "at": m.sent_at,
            "kind": m.kind,
            "side": m.side,
            "name": _name(m.sender),
            "text": m.text,
            "delivered_at": m.delivered_at,
            "id": m.pk,
        }
        for m in rows.order_by("sent_at", "id")
    ]
    if application.terminated_at:
        lines.append(
            {
                "at": application.terminated_at,
                "kind": "terminated",
                "side": Side.REVIEWER,
                "name": "",
                "text": application.termination_reason,
                "delivered_at": None,
                "id": None,
            }
        )
    return lines
