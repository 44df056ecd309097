"""The candidate's answer to a decision (issue 34, point 1).

When a decision that counts against the candidate (`concerns`, `violation`) is final, the
candidate may answer it once, within RESPONSE_WINDOW_DAYS. The answer reaches the reviewers
(an e-mail through the outbox, a badge on the console, the timeline and the report); the
decision a reviewer records after it says whether it was kept or changed. Audited (the audit
hears `candidate_responded`), and the `candidate.responded` webhook.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications import followups
from applications.models import CandidateResponse, Decision, JobApplication
from applications.signals import candidate_responded
from common import pipeline
from common.errors import Conflict, NotAllowed
from common.http import RequestInfo

from .mail import send_email

ANSWERABLE = (Decision.Outcome.CONCERNS, Decision.Outcome.VIOLATION)


def answerable_decision(*, application_id: int) -> Decision | None:
    """The decision in force when it is final and counts against the candidate."""
    return (
        Decision.objects.filter(
            application_id=application_id, state=Decision.State.FINAL, outcome__in=ANSWERABLE
        )
        .current()
        .select_related("decided_by", "confirmed_by")
        .first()
    )


def response_window_end(decision: Decision) -> datetime:
    final_at = decision.confirmed_at or decision.decided_at
    return final_at + timedelta(days=settings.RESPONSE_WINDOW_DAYS)


def candidate_response_submit(
    *, actor: User, application: JobApplication, text: str, info: RequestInfo
) -> CandidateResponse:
    """The candidate's one answer: a second → 409 `already_answered`; no final decision
    against them → 409 `nothing_to_answer`; after the window → 409 `response_window_closed`."""
    if application.candidate_id != actor.pk:
        raise NotAllowed(_("Only the candidate answers a decision."), code="not_candidate")
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        if CandidateResponse.objects.filter(application_id=application.pk).exists():
            raise Conflict(_("You have already answered this decision."), code="already_answered")
        decision = answerable_decision(application_id=application.pk)
        if decision is None:
            raise Conflict(_("There is no final decision to answer."), code="nothing_to_answer")
        if timezone.now() > response_window_end(decision):
            raise Conflict(
                _("Answers are taken for %(days)s days after the decision.")
                % {"days": settings.RESPONSE_WINDOW_DAYS},
                code="response_window_closed",
            )
        response = CandidateResponse.objects.create(
            application=application, decision=decision, text=text
        )
        candidate_responded.send(
            sender=CandidateResponse, application=application, response=response, info=info
        )
        pipeline.outbox(followups.RESPONSE_EMAIL, response_id=response.pk)
    return response


def response_recipients(application: JobApplication) -> list[str]:
    """Who hears of an answer: the organization's recruiters (active, with an address)."""
    return sorted(
        set(
            User.objects.filter(
                organization_id=application.job.organization_id,
                role=User.Role.RECRUITER,
                is_active=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def candidate_response_notify(*, response_id: int, message_id: str) -> None:
    """Tell the reviewers that the candidate answered (the text stays in Invigil: the e-mail
    links to the timeline)."""
    response = (
        CandidateResponse.objects.select_related("application__job__organization")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        return  # erased since
    application = response.application
    link = f"{settings.SITE_URL.rstrip('/')}/console/applications/{application.pk}/"
    for index, address in enumerate(response_recipients(application)):
        send_email(
            subject=f"A candidate answered the decision on “{application.job.title}”",
            body=(
                f"The candidate of interview {application.pk} ({application.job.title}) "
                "answered the decision. Read the answer and record the decision after it "
                f"(kept or changed, with a reason):\n\n{link}\n"
            ),
            to=address,
            message_id=f"{message_id}.{index}",
        )
