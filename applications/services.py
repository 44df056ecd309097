"""State changes for jobs, applications and invitations. Views call these; nothing else writes."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organization, User
from common import pipeline
from common.errors import Conflict, InvalidInput, NotAllowed, NotFound

from . import followups
from .models import Invitation, Job, JobApplication, MonitoringConsent
from .selectors import consent_active, consent_latest, invitation_get_pending
from .signals import application_status_changed, consent_recorded

logger = logging.getLogger(__name__)

INVITATION_SALT = "invigil.applications.invitation"

JOB_FIELDS = ("title", "description", "is_open")
APPLICATION_FIELDS = (  # status changes only through application_transition
    "camera_monitoring",
    "screen_monitoring",
    "camera_interval",
    "screen_interval",
)


def _organization_for_write(*, actor: User, organization: Organization | None) -> Organization:
    """Recruiters always write into their own organization; admins must name one."""
    if actor.is_recruiter:
        if actor.organization_id is None:
            raise NotAllowed("You are not a member of an organization.", code="no_organization")
        if organization is not None and organization.pk != actor.organization_id:
            raise NotFound("Organization not found.", code="organization_not_found")
        return actor.organization
    if actor.is_admin_role:
        if organization is None:
            raise InvalidInput("organization: this field is required.", code="required")
        return organization
    raise NotAllowed("Only recruiters and admins may create jobs.")


def _full_clean(instance) -> None:
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(f"{field}: {messages[0]}", code="invalid") from exc


def job_create(
    *,
    actor: User,
    title: str,
    description: str = "",
    is_open: bool = True,
    organization: Organization | None = None,
) -> Job:
    org = _organization_for_write(actor=actor, organization=organization)
    job = Job(organization=org, title=title, description=description, is_open=is_open)
    _full_clean(job)
    job.save()
    return job


def job_update(*, actor: User, job: Job, data: dict[str, Any]) -> Job:
    if not actor.is_staff_role:
        raise NotAllowed("Only recruiters and admins may change jobs.")
    for field in JOB_FIELDS:
        if field in data:
            setattr(job, field, data[field])
    _full_clean(job)
    job.save()
    return job


def _candidate_for_email(*, email: str, name: str) -> tuple[User, bool]:
    """The candidate with this email, created without a usable password if there is none.

    Whether the address had an account is never told to the inviter: the answer has the same
    shape either way, and a staff address gets the same generic refusal as any other address
    that cannot be invited.
    """
    email = User.objects.normalize_email(email).strip()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_candidate or not existing.is_active:
            raise InvalidInput(
                "candidate_email: this address cannot be invited.", code="cannot_invite"
            )
        return existing, False
    base = slugify(email.split("@")[0]) or "candidate"
    username = base
    suffix = 1
    while User.objects.filter(username=username).exists():
        suffix += 1
        username = f"{base}{suffix}"
    first, _, last = name.strip().partition(" ")
    user = User(
        username=username,
        email=email,
        first_name=first[:150],
        last_name=last[:150],
        role=User.Role.CANDIDATE,
    )
    user.set_unusable_password()
    user.save()
    return user, True


@transaction.atomic
def application_create(
    *,
    actor: User,
    job: Job,
    candidate_email: str,
    candidate_name: str = "",
    **monitoring: Any,
) -> JobApplication:
    """Create an application; invite the candidate by email when they have no account yet."""
    if not actor.is_staff_role:
        raise NotAllowed("Only recruiters and admins may create applications.")
    candidate, created = _candidate_for_email(email=candidate_email, name=candidate_name)
    application = JobApplication(job=job, candidate=candidate)
    for field in APPLICATION_FIELDS:
        if field in monitoring:
            setattr(application, field, monitoring[field])
    _full_clean(application)
    if JobApplication.objects.filter(job=job, candidate=candidate).exists():
        raise Conflict(
            "This candidate already has an application for this job.",
            code="application_exists",
        )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise Conflict(
            "This candidate already has an application for this job.",
            code="application_exists",
        ) from None
    if created or not candidate.has_usable_password():
        invitation_create(actor=actor, application=application)  # a link to set a password
    else:
        pipeline.outbox(followups.APPLICATION_NOTICE_EMAIL, application_id=application.pk)
    return application


def _send_email(*, subject: str, body: str, to: str, message_id: str) -> None:
    """One e-mail of the outbox. Its Message-ID is the outbox id: a message sent again after
    a lost acknowledgement is the same message to every mail system on the way."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "invigil.local"
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": f"<{message_id}@{domain}>"},
    ).send()


def application_invite_notify(*, application_id: int, message_id: str) -> None:
    """A candidate who already has an account is told by e-mail, never attached silently."""
    application = (
        JobApplication.objects.select_related("job__organization", "candidate")
        .filter(pk=application_id)
        .first()
    )
    if application is None:  # erased meanwhile: nobody to tell
        return
    job = application.job
    login = settings.SITE_URL.rstrip("/") + reverse("login")
    _send_email(
        subject=f"Your interview for {job.title} at {job.organization.name}",
        body=(
            f"Hello,\n\nYou have been invited to interview for {job.title} at "
            f"{job.organization.name} — sign in to start:\n{login}\n\nThe interview appears "
            'under "My interviews". Nothing is recorded before you agree to the monitoring '
            "notice.\n"
        ),
        to=application.candidate.email,
        message_id=message_id,
    )
    logger.info("Application %s notified to its candidate", application.pk)


def application_update(
    *, actor: User, application: JobApplication, data: dict[str, Any]
) -> JobApplication:
    if not actor.is_staff_role:
        raise NotAllowed("Only recruiters and admins may change applications.")
    for field in APPLICATION_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    _full_clean(application)
    application.save()
    return application


# --- Invitations ----------------------------------------------------------------------------


def invitation_token(*, invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(*, invitation: Invitation) -> str:
    path = reverse("invitation-accept", kwargs={"token": invitation_token(invitation=invitation)})
    return settings.SITE_URL.rstrip("/") + path


def invitation_create(*, actor: User, application: JobApplication) -> Invitation:
    invitation = Invitation.objects.create(
        application=application, email=application.candidate.email, created_by=actor
    )
    pipeline.outbox(followups.INVITATION_EMAIL, invitation_id=invitation.pk)
    return invitation


def invitation_send(*, invitation_id: int, message_id: str) -> None:
    """The invitation e-mail (the outbox delivers it once the invitation is committed)."""
    invitation = (
        Invitation.objects.select_related("application__job__organization")
        .filter(pk=invitation_id, accepted_at=None)
        .first()
    )
    if invitation is None:  # used or erased meanwhile: a link to nothing is not sent
        return
    job = invitation.application.job
    days = settings.INVITATION_MAX_AGE // 86400
    _send_email(
        subject=f"Your interview for {job.title} at {job.organization.name}",
        body=(
            f"Hello,\n\n{job.organization.name} invited you to an interview for "
            f"{job.title} on Invigil.\n\nSet your password here (the link works once and "
            f"expires in {days} days):\n{invitation_url(invitation=invitation)}\n"
        ),
        to=invitation.email,
        message_id=message_id,
    )
    logger.info("Invitation %s sent", invitation.pk)


def invitation_from_token(*, token: str) -> Invitation:
    """The pending invitation a link names; refuses tampered, expired or used links."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInput(
            "This invitation link has expired. Ask your recruiter for a new one.",
            code="invitation_expired",
        ) from None
    except signing.BadSignature:
        raise InvalidInput(
            "This invitation link is not valid.", code="invitation_invalid"
        ) from None
    invitation = invitation_get_pending(invitation_id=payload.get("i"))
    if invitation is None:
        raise InvalidInput(
            "This invitation link has already been used. Sign in with your password.",
            code="invitation_used",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    invitation = invitation_from_token(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvalidInput("This invitation link has already been used.", code="invitation_used")
    user = invitation.application.candidate
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


# --- Monitoring consent ---------------------------------------------------------------------


def consent_give(
    *, actor: User, application: JobApplication, ip: str | None = None
) -> tuple[MonitoringConsent, bool]:
    """Record the candidate's consent to monitoring. Returns (consent, created).

    Only the candidate of the application may consent; giving it again changes nothing.
    """
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can consent to monitoring.", code="not_candidate")
    existing = consent_active(application_id=application.pk)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            now = timezone.now()
            consent = MonitoringConsent.objects.create(
                application=application,
                notice_version=settings.MONITORING_NOTICE_VERSION,
                accepted_at=now,
                created_at=now,
                ip=ip,
            )
            consent_recorded.send(
                sender=MonitoringConsent,
                application=application,
                actor=actor,
                action="given",
                consent=consent,
                ip=ip,
            )
    except IntegrityError:  # a concurrent request recorded it first
        return consent_active(application_id=application.pk), False
    return consent, True


@transaction.atomic
def consent_withdraw(
    *, actor: User, application: JobApplication, ip: str | None = None
) -> MonitoringConsent | None:
    """Withdraw consent: nothing is recorded from now on, and the camera stops."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can withdraw consent.", code="not_candidate")
    consent = consent_active(application_id=application.pk)
    if consent is not None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        consent_recorded.send(
            sender=MonitoringConsent,
            application=application,
            actor=actor,
            action="withdrawn",
            consent=consent,
            ip=ip,
        )
    return consent


@transaction.atomic
def consent_refuse(
    *, actor: User, application: JobApplication, ip: str | None = None
) -> tuple[MonitoringConsent, str]:
    """The candidate's "no" to the notice: a withdrawal when consent is active, otherwise a
    decline, recorded with the notice version shown. Returns (record, "withdrawn" |
    "declined"). Saying no again to the same notice records nothing new."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can answer the notice.", code="not_candidate")
    # One answer at a time. FOR NO KEY UPDATE (like every lock on an application here): rows
    # that only point at the application (a camera event of a concurrent camera-off) take
    # FOR KEY SHARE, which it does not block: a plain FOR UPDATE deadlocked against them.
    JobApplication.objects.select_for_update(no_key=True).filter(pk=application.pk).first()
    withdrawn = consent_withdraw(actor=actor, application=application, ip=ip)
    if withdrawn is not None:
        return withdrawn, "withdrawn"
    latest = consent_latest(application_id=application.pk)
    version = settings.MONITORING_NOTICE_VERSION
    if latest is not None and latest.state == "declined" and latest.notice_version == version:
        return latest, "declined"
    now = timezone.now()
    declined = MonitoringConsent.objects.create(
        application=application, notice_version=version, declined_at=now, created_at=now, ip=ip
    )
    consent_recorded.send(
        sender=MonitoringConsent,
        application=application,
        actor=actor,
        action="declined",
        consent=declined,
        ip=ip,
    )
    return declined, "declined"


def recording_check(*, application: JobApplication) -> None:
    """The one rule for uploads, camera on and page events: nothing is recorded outside the
    interview. 409 unless it is in progress and the candidate's consent is active.

    (`JobApplication.objects.recordable()` is the same rule as a query.)
    """
    if application.status != JobApplication.Status.IN_PROGRESS:
        raise Conflict(
            f"The interview is {application.get_status_display().lower()}: nothing is "
            "recorded unless it is in progress.",
            code="application_not_active",
        )
    if consent_active(application_id=application.pk) is None:
        raise Conflict(
            "The candidate has not consented to monitoring for this interview.",
            code="consent_required",
        )


# --- Status transitions -----------------------------------------------------------------------


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
}
WHO_MAY = {  # the target state decides who may ask for it
    Status.IN_PROGRESS: "candidate",
    Status.COMPLETED: "candidate",
    Status.WITHDRAWN: "reviewer",
}
VERBS = {Status.IN_PROGRESS: "start", Status.COMPLETED: "finish", Status.WITHDRAWN: "be withdrawn"}


def _may(actor: User, application: JobApplication, by: str) -> bool:
    if by == "candidate":
        return application.candidate_id == actor.pk
    return actor.is_admin_role or (
        actor.is_recruiter and actor.organization_id == application.job.organization_id
    )


def application_transition(*, actor: User, application: JobApplication, to: str) -> JobApplication:
    """Move an application along TRANSITIONS, stamping the time; every status change goes
    through here. Anything else is 409 `invalid_transition`; the wrong person, 403.

    The floors above hear of it through `application_status_changed` (camera off, audit,
    integrity), inside this transaction.
    """
    if not _may(actor, application, WHO_MAY.get(to, "reviewer")):
        who = "candidate" if WHO_MAY.get(to) == "candidate" else "recruiter or an admin"
        raise NotAllowed(
            f"Only the {who} can make the interview {VERBS.get(to, to)}.",
            code="not_candidate" if WHO_MAY.get(to) == "candidate" else "permission_denied",
        )
    with transaction.atomic():
        application = (
            JobApplication.objects.select_for_update(no_key=True)
            .select_related("job", "candidate")
            .get(pk=application.pk)
        )
        old = application.status
        rule = TRANSITIONS.get((old, to))
        if rule is None:
            raise Conflict(
                f"The interview is {application.get_status_display().lower()}; it cannot "
                f"{VERBS.get(to, 'change to ' + to)}.",
                code="invalid_transition",
            )
        now = timezone.now()
        application.status = to
        setattr(application, rule.stamp, now)
        fields = ["status", rule.stamp]
        if to == Status.COMPLETED and application.started_at is None:
            application.started_at = now
            fields.append("started_at")
        application.save(update_fields=fields)
        application_status_changed.send(
            sender=JobApplication, application=application, old=old, new=to, actor=actor, at=now
        )
    return application


def application_start(*, actor: User, application: JobApplication) -> JobApplication:
    """The candidate starts the interview: invited → in progress."""
    return application_transition(actor=actor, application=application, to=Status.IN_PROGRESS)


def application_finish(*, actor: User, application: JobApplication) -> JobApplication:
    """The candidate finishes the interview: in progress → completed (camera off)."""
    return application_transition(actor=actor, application=application, to=Status.COMPLETED)


def application_withdraw(*, actor: User, application: JobApplication) -> JobApplication:
    """A recruiter of the organization (or an admin) withdraws it: nothing more is recorded."""
    return application_transition(actor=actor, application=application, to=Status.WITHDRAWN)
