"""Role- and organization-scoped reads. Every view fetches applications and jobs here.

Scope: candidate → own applications; recruiter → jobs of their organization; admin → all.
An object outside the caller's scope is reported as missing (404), never as forbidden.
"""

from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import User
from accounts.scoping import role_scope
from common.errors import NotFound

from .models import (
    CandidateResponse,
    Decision,
    Invitation,
    Job,
    JobApplication,
    MonitoringConsent,
)


def applications_for_user(*, user: User) -> QuerySet[JobApplication]:
    qs = JobApplication.objects.select_related("job__organization", "candidate", "checks_off_by")
    scope = role_scope(user, organization="job__organization_id", own="candidate_id")
    return qs.none() if scope is None else qs.filter(scope)


def application_get_for_user(*, user: User, application_id: int) -> JobApplication:
    try:
        return applications_for_user(user=user).get(pk=application_id)
    except (JobApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound("Application not found.", code="application_not_found") from None


def jobs_for_user(*, user: User) -> QuerySet[Job]:
    qs = Job.objects.select_related("organization")
    scope = role_scope(user, organization="organization_id", own="applications__candidate_id")
    if scope is None:
        return qs.none()
    # A candidate's jobs are reached through their applications: one row per job.
    return qs.filter(scope).distinct() if user.is_candidate else qs.filter(scope)


def job_get_for_user(*, user: User, job_id: int) -> Job:
    try:
        return jobs_for_user(user=user).get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise NotFound("Job not found.", code="job_not_found") from None


def invitation_get_pending(*, invitation_id: int) -> Invitation | None:
    return (
        Invitation.objects.select_related("application__candidate", "application__job")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )


def consent_active(*, application_id: int) -> MonitoringConsent | None:
    """The consent in force, if any (it may be to an older notice: `.outdated`)."""
    return MonitoringConsent.objects.active().filter(application_id=application_id).first()


def consent_latest(*, application_id: int) -> MonitoringConsent | None:
    """The candidate's most recent answer to the notice (given, withdrawn or declined)."""
    return MonitoringConsent.objects.filter(application_id=application_id).first()


def consent_history(*, application_id: int) -> list[dict]:
    """Every answer, oldest first, as moments: given, withdrawn, declined."""
    moments = []
    for consent in MonitoringConsent.objects.filter(application_id=application_id):
        for decision, at in (
            ("given", consent.accepted_at),
            ("withdrawn", consent.withdrawn_at),
            ("declined", consent.declined_at),
        ):
            if at is not None:
                moments.append((decision, at, consent.notice_version, consent.language))
    moments.sort(key=lambda m: m[1])
    return [
        {"decision": d, "at": at, "notice_version": v, "language": lang}
        for d, at, v, lang in moments
    ]


CONSENT_LABELS = {
    "not_yet": "Not yet",
    "given": "Given",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
CONSENT_STATES = tuple(CONSENT_LABELS)


def applications_with_consent_state(
    qs: QuerySet[JobApplication],
) -> QuerySet[JobApplication]:
    """Annotate `consent_state` from the latest answer to the notice: not_yet (none), given
    (active; agreed, perhaps to an older notice), declined, withdrawn. One subquery each."""
    latest = MonitoringConsent.objects.filter(application=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    return qs.annotate(
        _consent_declined=Subquery(latest.values("declined_at")[:1]),
        _consent_withdrawn=Subquery(latest.values("withdrawn_at")[:1]),
        _consent_any=Exists(latest),
    ).annotate(
        consent_state=Case(
            When(_consent_any=False, then=Value("not_yet")),
            When(_consent_declined__isnull=False, then=Value("declined")),
            When(_consent_withdrawn__isnull=False, then=Value("withdrawn")),
            default=Value("given"),
            output_field=CharField(),
        )
    )


def consent_state_for(*, application_id: int) -> str:
    latest = consent_latest(application_id=application_id)
    if latest is None:
        return "not_yet"
    return {"declined": "declined", "withdrawn": "withdrawn"}.get(latest.state, "given")


def current_decision_for(application: JobApplication) -> Decision | None:
    """The decision in force: from `current_decisions` where a listing prefetched it
    (with_current_decision), else one query."""
    prefetched = getattr(application, "current_decisions", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return (
        Decision.objects.filter(application_id=application.pk)
        .current()
        .select_related("decided_by", "confirmed_by")
        .first()
    )


def with_current_decision(queryset: QuerySet[JobApplication]) -> QuerySet[JobApplication]:
    """A listing's applications with their decision in force, in one more query."""
    return queryset.select_related("candidate_response").prefetch_related(
        Prefetch(
            "decisions",
            queryset=Decision.objects.current().select_related("decided_by", "confirmed_by"),
            to_attr="current_decisions",
        )
    )


def candidate_sees(decision: Decision) -> bool:
    """A candidate sees a decision once it is final and counts against them."""
    return decision.state == Decision.State.FINAL and decision.outcome in (
        Decision.Outcome.CONCERNS,
        Decision.Outcome.VIOLATION,
    )


def response_for(application: JobApplication) -> CandidateResponse | None:
    """The candidate's answer, if any (one query, or none where a listing prefetched it)."""
    try:
        return application.candidate_response
    except CandidateResponse.DoesNotExist:
        return None
