"""Status transitions: every change of an application's status goes through here."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from applications.models import JobApplication
from applications.signals import application_status_changed, recording_began
from common.errors import Conflict, InvalidInput, NotAllowed


@dataclass(frozen=True)
class Transition:
    stamp: str  # the field that records when it happened
    by: str  # "candidate" (their own interview) or "reviewer" (recruiter of the org, admin)


Status = JobApplication.Status

TRANSITIONS = {
    (Status.INVITED, Status.IN_PROGRESS): Transition("started_at", by="candidate"),
    (Status.IN_PROGRESS, Status.COMPLETED): Transition("completed_at", by="candidate"),
    (Status.INVITED, Status.WITHDRAWN): Transition("withdrawn_at", by="reviewer"),
    (Status.IN_PROGRESS, Status.WITHDRAWN): Transition("withdrawn_at", by="reviewer"),
    # A reviewer ends an interview under way, with a reason the candidate's page shows.
    (Status.IN_PROGRESS, Status.TERMINATED): Transition("terminated_at", by="reviewer"),
}

WHO_MAY = {  # the target state decides who may ask for it
    Status.IN_PROGRESS: "candidate",
    Status.COMPLETED: "candidate",
    Status.WITHDRAWN: "reviewer",
    Status.TERMINATED: "reviewer",
}

VERBS = {  # translated where a message says them
    Status.IN_PROGRESS: gettext_noop("start"),
    Status.COMPLETED: gettext_noop("finish"),
    Status.WITHDRAWN: gettext_noop("be withdrawn"),
    Status.TERMINATED: gettext_noop("be ended"),
}


def _verb(to: str) -> str:
    return _(VERBS[to]) if to in VERBS else _("change to %(status)s") % {"status": to}


TERMINATION_REASON_MAX = 500
# Captures the page took before a reviewer ended the interview still arrive for this long
# (its upload queue drains); applications.services.consent.recording_check applies it.
TERMINATION_DRAIN_SECONDS = 300


def _may(actor: User, application: JobApplication, by: str) -> bool:
    if by == "candidate":
        return application.candidate_id == actor.pk
    return actor.is_admin_role or (
        actor.is_recruiter and actor.organization_id == application.job.organization_id
    )


def application_transition(
    *, actor: User, application: JobApplication, to: str, changes: dict | None = None
) -> JobApplication:
    """Move an application along TRANSITIONS, stamping the time; every status change goes
    through here. Anything else is 409 `invalid_transition`; the wrong person, 403.

    The floors above hear of it through `application_status_changed` (camera off, audit,
    integrity), inside this transaction. `changes` are further fields written with it (the
    reason of a termination).
    """
    if not _may(actor, application, WHO_MAY.get(to, "reviewer")):
        only = (
            _("Only the candidate can make the interview %(verb)s.")
            if WHO_MAY.get(to) == "candidate"
            else _("Only the recruiter or an admin can make the interview %(verb)s.")
        )
        raise NotAllowed(
            only % {"verb": _verb(to)},
            code="not_candidate" if WHO_MAY.get(to) == "candidate" else "permission_denied",
        )
    with transaction.atomic():
        application = (
            JobApplication.objects.locked()
            .select_related("job", "candidate")
            .get(pk=application.pk)
        )
        old = application.status
        rule = TRANSITIONS.get((old, to))
        if rule is None:
            raise Conflict(
                _("The interview is %(status)s; it cannot %(verb)s.")
                % {"status": application.get_status_display().lower(), "verb": _verb(to)},
                code="invalid_transition",
            )
        now = timezone.now()
        application.status = to
        setattr(application, rule.stamp, now)
        for name, value in (changes or {}).items():
            setattr(application, name, value)
        application.save(update_fields=["status", rule.stamp, *(changes or {})])
        application_status_changed.send(
            sender=JobApplication, application=application, old=old, new=to, actor=actor, at=now
        )
    return application


def application_recording_began(*, application_id: int, at: datetime) -> bool:
    """The first recording of an interview that is in progress without a start (opened, not
    started by the candidate): consent given, a first capture, the camera on. It is stamped
    once and never moves; finishing never stamps it. Returns whether it stamped it now.

    The floors above hear of a stamp through `recording_began`, in the recording's
    transaction (every caller holds one; `savepoint=False` costs nothing inside it)."""
    with transaction.atomic(savepoint=False):
        stamped = bool(
            JobApplication.objects.filter(
                pk=application_id, status=Status.IN_PROGRESS, started_at=None
            ).update(started_at=at)
        )
        if stamped:
            recording_began.send(sender=JobApplication, application_id=application_id, at=at)
    return stamped


def application_start(*, actor: User, application: JobApplication) -> JobApplication:
    """The candidate starts the interview: invited → in progress."""
    return application_transition(actor=actor, application=application, to=Status.IN_PROGRESS)


def application_finish(*, actor: User, application: JobApplication) -> JobApplication:
    """The candidate finishes the interview: in progress → completed (camera off)."""
    return application_transition(actor=actor, application=application, to=Status.COMPLETED)


def application_withdraw(*, actor: User, application: JobApplication) -> JobApplication:
    """A recruiter of the organization (or an admin) withdraws it: nothing more is recorded."""
    return application_transition(actor=actor, application=application, to=Status.WITHDRAWN)


def application_terminate(
    *, actor: User, application: JobApplication, reason: str
) -> JobApplication:
    """A recruiter of the organization (or an admin) ends an interview under way: in progress
    → terminated, with the reason the candidate's page shows. The camera goes off; captures
    the page took before it are accepted for TERMINATION_DRAIN_SECONDS more."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("Say why the interview ends (reason).", code="reason_required")
    if len(reason) > TERMINATION_REASON_MAX:
        raise InvalidInput(
            f"The reason is at most {TERMINATION_REASON_MAX} characters.", code="too_long"
        )
    return application_transition(
        actor=actor,
        application=application,
        to=Status.TERMINATED,
        changes={"termination_reason": reason},
    )
