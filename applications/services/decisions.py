"""Decisions: a reviewer's outcome for an interview, with its reason, after it has ended.

`violation` waits for a second reviewer where the organization asks for one (the four-eyes
rule); the same person cannot confirm their own decision. A decision rests on the verdicts
on the incidents (monitoring): the floor above reopens it through `decision_reopen` when a
verdict changes. Every step is audited (the audit hears `decision_changed`); a decision that
becomes final is announced through `decision_made` (the `decision.made` webhook).
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import CandidateResponse, Decision, JobApplication
from applications.signals import decision_changed, decision_made
from common.errors import Conflict, NotAllowed
from common.http import RequestInfo

Status = JobApplication.Status
ENDED = (Status.COMPLETED, Status.WITHDRAWN)


def decision_may_decide(*, actor: User, application: JobApplication) -> None:
    """Reviewers of the interview's organization (the selector already hid everyone else's
    interviews behind a 404) and admins; a candidate is refused."""
    if not actor.is_staff_role:
        raise NotAllowed("Only reviewers decide on an interview.", code="permission_denied")


def _announce(decision: Decision, *, actor: User | None, action: str, info: RequestInfo) -> None:
    decision_changed.send(
        sender=Decision,
        application=decision.application,
        decision=decision,
        actor=actor,
        action=action,
        info=info,
    )
    if action != "reopened" and decision.state == Decision.State.FINAL:
        decision_made.send(
            sender=Decision,
            application_id=decision.application_id,
            at=decision.confirmed_at or decision.decided_at,
            outcome=decision.outcome,
            state=decision.state,
        )


def decision_record(
    *, actor: User, application: JobApplication, outcome: str, reason: str, info: RequestInfo
) -> Decision:
    """Record the outcome of an ended interview; it replaces the current decision (kept in
    the history). Before the end: 409 `interview_in_progress`."""
    decision_may_decide(actor=actor, application=application)
    with transaction.atomic():
        application = (
            JobApplication.objects.locked()
            .select_related("job__organization")
            .get(pk=application.pk)
        )
        if application.status not in ENDED:
            raise Conflict(
                "The interview has not ended: decide once it is finished or withdrawn.",
                code="interview_in_progress",
            )
        now = timezone.now()
        second = (
            outcome == Decision.Outcome.VIOLATION
            and application.job.organization.decision_second_review
        )
        answered = (
            CandidateResponse.objects.filter(application=application)
            .select_related("decision")
            .first()
        )
        # After the candidate's answer the decision says whether it kept what they answered.
        previous = answered.decision.outcome if answered and answered.decision else ""
        Decision.objects.filter(application=application).current().update(replaced_at=now)
        decision = Decision.objects.create(
            application=application,
            outcome=outcome,
            reason=reason,
            state=Decision.State.PENDING_SECOND_REVIEW if second else Decision.State.FINAL,
            decided_by=actor,
            decided_at=now,
            after_response=answered is not None,
            previous_outcome=previous,
        )
        _announce(decision, actor=actor, action="recorded", info=info)
    return decision


def decision_confirm(*, actor: User, application: JobApplication, info: RequestInfo) -> Decision:
    """The second reviewer confirms a decision waiting for them: it becomes final. The person
    who decided cannot (409 `same_reviewer`); nothing waiting: 409 `invalid_transition`."""
    decision_may_decide(actor=actor, application=application)
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        decision = (
            Decision.objects.select_for_update()
            .filter(application_id=application.pk)
            .current()
            .first()
        )
        if decision is None or decision.state != Decision.State.PENDING_SECOND_REVIEW:
            raise Conflict("No decision is waiting for a second review.", code="invalid_transition")
        if decision.decided_by_id == actor.pk:
            raise Conflict(
                "A second review must be by another reviewer than the one who decided.",
                code="same_reviewer",
            )
        decision.state = Decision.State.FINAL
        decision.confirmed_by = actor
        decision.confirmed_at = timezone.now()
        decision.save(update_fields=["state", "confirmed_by", "confirmed_at"])
        decision.application = application
        _announce(decision, actor=actor, action="confirmed", info=info)
    return decision


def decision_reopen(
    *, actor: User, application: JobApplication, because: str, info: RequestInfo
) -> Decision | None:
    """A verdict the current decision rests on changed: the decision is reopened (a reviewer
    decides again). Called inside the caller's transaction; None when nothing was open to
    reopen."""
    decision = (
        Decision.objects.select_for_update()
        .filter(application_id=application.pk)
        .current()
        .exclude(state=Decision.State.REOPENED)
        .first()
    )
    if decision is None:
        return None
    decision.state = Decision.State.REOPENED
    decision.reopened_at = timezone.now()
    decision.reopened_because = because[:300]
    decision.save(update_fields=["state", "reopened_at", "reopened_because"])
    decision.application = application
    _announce(decision, actor=actor, action="reopened", info=info)
    return decision
