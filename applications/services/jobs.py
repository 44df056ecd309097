"""Jobs and the applications to them: created and changed by recruiters and admins."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from applications import followups
from applications.models import CHECKS, Job, JobApplication
from applications.signals import application_settings_changed
from common import pipeline
from common.errors import Conflict, InvalidInput, NotAllowed, NotFound

from .invitations import invitation_create
from .mail import send_email

logger = logging.getLogger(__name__)

JOB_FIELDS = ("title", "description", "is_open")

APPLICATION_FIELDS = (  # status changes only through application_transition
    "camera_monitoring",
    "screen_monitoring",
    "camera_interval",
    "screen_interval",
)
# Accommodations: checks turned off, locked with the monitoring settings (the same 409).
CHECKS_OFF_FIELDS = ("checks_off", "checks_off_reason")


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


def _assign(instance, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Copy the writable `fields` present in `data` onto `instance`, then validate it."""
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])
    _full_clean(instance)


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
    _assign(job, data, JOB_FIELDS)
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
    first, _space, last = name.strip().partition(" ")
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
    open_now: bool = False,
    notify: bool = True,
    **monitoring: Any,
) -> JobApplication:
    """Create an application; invite the candidate by email when they have no account yet
    (`notify`: tell a candidate who has one). `open_now`: the interview is open at once (in
    progress, not started: it starts with its first recording) instead of waiting for the
    candidate to start it."""
    if not actor.is_staff_role:
        raise NotAllowed("Only recruiters and admins may create applications.")
    candidate, created = _candidate_for_email(email=candidate_email, name=candidate_name)
    application = JobApplication(job=job, candidate=candidate)
    if open_now:
        application.status = JobApplication.Status.IN_PROGRESS
    _assign(application, monitoring, APPLICATION_FIELDS)
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
    elif notify:
        pipeline.outbox(
            followups.APPLICATION_NOTICE_EMAIL,
            application_id=application.pk,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    return application


def application_invite_notify(*, application_id: int, message_id: str, language: str = "") -> None:
    """A candidate who already has an account is told by e-mail, never attached silently (in
    `language`, the inviting page's)."""
    application = (
        JobApplication.objects.select_related("job__organization", "candidate")
        .filter(pk=application_id)
        .first()
    )
    if application is None:  # erased meanwhile: nobody to tell
        return
    job = application.job
    login = settings.SITE_URL.rstrip("/") + reverse("login")
    words = {"job": job.title, "organization": job.organization.name, "login": login}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Your interview for %(job)s at %(organization)s") % words
        body = (
            _(
                "Hello,\n\nYou have been invited to interview for %(job)s at %(organization)s "
                '— sign in to start:\n%(login)s\n\nThe interview appears under "My '
                'interviews". Nothing is recorded before you agree to the monitoring notice.\n'
            )
            % words
        )
    send_email(subject=subject, body=body, to=application.candidate.email, message_id=message_id)
    logger.info("Application %s notified to its candidate", application.pk)


def _reviewer_change(application: JobApplication, reviewer_id: int | None) -> dict:
    """Assign the interview to a recruiter of its organization ("my candidates" on their
    board), or to nobody. Anyone else: 400 `not_a_reviewer`. Not a monitoring setting: it may
    change at any time."""
    if reviewer_id == application.assigned_reviewer_id:
        return {}
    if reviewer_id is not None and not (
        User.objects.filter(
            pk=reviewer_id,
            is_active=True,
            role=User.Role.RECRUITER,
            organization_id=application.job.organization_id,
        ).exists()
    ):
        raise InvalidInput(
            "Assign the interview to an active recruiter of its organization.",
            code="not_a_reviewer",
        )
    old = application.assigned_reviewer_id
    application.assigned_reviewer_id = reviewer_id
    return {"assigned_reviewer": (old, reviewer_id)}


def _checks_off_normalised(application: JobApplication, data: dict[str, Any]) -> dict[str, Any]:
    """Checks off as a sorted list without repeats; turning any off needs a reason (400
    `reason_required`), turning all back on clears it."""
    if not data.keys() & set(CHECKS_OFF_FIELDS):
        return data
    data = dict(data)
    checks = data.get("checks_off", application.checks_off)
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise InvalidInput(
            f"Unknown check(s): {', '.join(sorted(unknown))}.", code="invalid_choice"
        )
    data["checks_off"] = sorted(set(checks))
    reason = data.get("checks_off_reason", application.checks_off_reason).strip()
    if data["checks_off"] and not reason:
        raise InvalidInput(
            "Say why the checks are off (checks_off_reason): the report shows it.",
            code="reason_required",
        )
    data["checks_off_reason"] = reason if data["checks_off"] else ""
    return data


def application_update(
    *, actor: User, application: JobApplication, data: dict[str, Any]
) -> JobApplication:
    """Change an interview's monitoring settings. They are locked once recording has begun
    (409 `settings_locked`): a setting changed afterwards would re-judge what was recorded
    under the old one. Every change is audited (the floors above hear the signal)."""
    if not actor.is_staff_role:
        raise NotAllowed("Only recruiters and admins may change applications.")
    with transaction.atomic():
        application = (
            JobApplication.objects.locked()
            .select_related("job__organization", "candidate")
            .get(pk=application.pk)
        )
        data = _checks_off_normalised(application, data)
        fields = APPLICATION_FIELDS + CHECKS_OFF_FIELDS
        changes = {
            field: (getattr(application, field), data[field])
            for field in fields
            if field in data and getattr(application, field) != data[field]
        }
        if changes and application.recording_began:
            raise Conflict(
                "The monitoring settings of this interview are locked: recording has begun, "
                "and what was recorded is judged by the settings it was recorded under.",
                code="settings_locked",
            )
        _assign(application, data, fields)
        stamped = []
        if changes.keys() & set(CHECKS_OFF_FIELDS):  # who turned them off, and when
            application.checks_off_by = actor if application.checks_off else None
            application.checks_off_at = timezone.now() if application.checks_off else None
            stamped = ["checks_off_by", "checks_off_at"]
        if "assigned_reviewer_id" in data:
            changes.update(_reviewer_change(application, data["assigned_reviewer_id"]))
        if changes:
            application.save(update_fields=[*changes, *stamped])
            application_settings_changed.send(
                sender=JobApplication, application=application, actor=actor, changes=changes
            )
    return application
