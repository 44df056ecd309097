"""The candidate's answers to the monitoring notice, and the one rule for recording."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication, MonitoringConsent
from applications.selectors import consent_active, consent_latest
from applications.signals import consent_recorded
from common.errors import Conflict, NotAllowed

from .transitions import application_recording_began


def _announce(application, actor, action: str, consent: MonitoringConsent, ip) -> None:
    """The floors above hear of every answer in its transaction (audit, camera, watches)."""
    consent_recorded.send(
        sender=MonitoringConsent,
        application=application,
        actor=actor,
        action=action,
        consent=consent,
        ip=ip,
    )


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
            application_recording_began(application_id=application.pk, at=now)
            _announce(application, actor, "given", consent, ip)
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
        _announce(application, actor, "withdrawn", consent, ip)
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
    # One answer at a time.
    JobApplication.objects.lock(application.pk)
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
    _announce(application, actor, "declined", declined, ip)
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
