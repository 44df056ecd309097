"""State changes for jobs, applications and invitations. Views call these; nothing else writes."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organization, User
from common.errors import Conflict, InvalidInput, NotAllowed, NotFound

from .models import Invitation, Job, JobApplication, MonitoringConsent
from .selectors import consent_active, invitation_get_pending

logger = logging.getLogger(__name__)

INVITATION_SALT = "invigil.applications.invitation"

JOB_FIELDS = ("title", "description", "is_open")
APPLICATION_FIELDS = (
    "status",
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
    """The candidate with this email, created without a usable password if there is none."""
    email = User.objects.normalize_email(email).strip()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_candidate:
            raise InvalidInput(
                "candidate_email: this address belongs to a recruiter or admin.",
                code="not_a_candidate",
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
    if created:
        invitation_create(actor=actor, application=application)
    return application


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
    transaction.on_commit(lambda: invitation_send(invitation_id=invitation.pk))
    return invitation


def invitation_send(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("application__job__organization").get(
        pk=invitation_id
    )
    job = invitation.application.job
    days = settings.INVITATION_MAX_AGE // 86400
    send_mail(
        subject=f"Your interview for {job.title} at {job.organization.name}",
        message=(
            f"Hello,\n\n{job.organization.name} invited you to an interview for "
            f"{job.title} on Invigil.\n\nSet your password here (the link works once and "
            f"expires in {days} days):\n{invitation_url(invitation=invitation)}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    logger.info("Invitation %s sent to %s", invitation.pk, invitation.email)


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
            consent = MonitoringConsent.objects.create(
                application=application,
                notice_version=settings.MONITORING_NOTICE_VERSION,
                accepted_at=timezone.now(),
                ip=ip,
            )
    except IntegrityError:  # a concurrent request recorded it first
        return consent_active(application_id=application.pk), False
    return consent, True


def consent_withdraw(*, actor: User, application: JobApplication) -> MonitoringConsent | None:
    """Withdraw consent: uploads stop being accepted from now on."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can withdraw consent.", code="not_candidate")
    consent = consent_active(application_id=application.pk)
    if consent is not None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


# --- Interview start and finish -------------------------------------------------------------


def application_start(*, actor: User, application: JobApplication) -> JobApplication:
    """The candidate starts the interview: invited → in progress (again: no change)."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can start the interview.", code="not_candidate")
    if application.status == JobApplication.Status.IN_PROGRESS:
        return application
    if application.status != JobApplication.Status.INVITED:
        raise Conflict(
            f"The interview is {application.get_status_display().lower()}; it cannot start.",
            code="application_not_startable",
        )
    application.status = JobApplication.Status.IN_PROGRESS
    application.started_at = timezone.now()
    application.save(update_fields=["status", "started_at"])
    return application


def application_finish(*, actor: User, application: JobApplication) -> JobApplication:
    """The candidate finishes the interview: in progress → completed (again: no change)."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can finish the interview.", code="not_candidate")
    if application.status == JobApplication.Status.COMPLETED:
        return application
    if application.status != JobApplication.Status.IN_PROGRESS:
        raise Conflict(
            f"The interview is {application.get_status_display().lower()}; it cannot finish.",
            code="application_not_active",
        )
    application.status = JobApplication.Status.COMPLETED
    application.completed_at = timezone.now()
    if application.started_at is None:
        application.started_at = application.completed_at
    application.save(update_fields=["status", "completed_at", "started_at"])
    return application
