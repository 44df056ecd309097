"""The candidate's answers to the monitoring notice, and the one rule for recording."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications import notice
from applications.models import JobApplication, MonitoringConsent
from applications.selectors import consent_active, consent_latest
from applications.signals import consent_recorded
from common.errors import Conflict, InvalidInput, NotAllowed

from .transitions import TERMINATION_DRAIN_SECONDS, application_recording_began


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


def _check_version(shown: str | None) -> None:
    """The page says which notice it showed: an answer to an older one is not an answer."""
    if shown is not None and shown != notice.CURRENT:
        raise Conflict(
            _("The monitoring notice has changed since this page showed it: read it again."),
            code="notice_outdated",
        )


def _check_language(shown: str) -> None:
    """The consent records the language the notice was shown in: one the notice exists in."""
    if shown and shown not in dict(settings.LANGUAGES):
        raise InvalidInput(_("The notice is not shown in that language."), code="invalid_choice")


def consent_give(
    *,
    actor: User,
    application: JobApplication,
    ip: str | None = None,
    language: str = "",
    notice_version: str | None = None,
) -> tuple[MonitoringConsent, bool]:
    """Record the candidate's consent to the notice in force, in the language it was shown.
    Returns (consent, created).

    Only the candidate of the application may consent; giving it again changes nothing. A
    consent to an older notice is replaced (the candidate has read what changed).
    """
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can consent to monitoring.", code="not_candidate")
    _check_version(notice_version)
    _check_language(language)
    existing = consent_active(application_id=application.pk)
    if existing is not None and not existing.outdated:
        return existing, False
    try:
        with transaction.atomic():
            now = timezone.now()
            if existing is not None:
                MonitoringConsent.objects.filter(pk=existing.pk, replaced_at=None).update(
                    replaced_at=now
                )
            consent = MonitoringConsent.objects.create(
                application=application,
                notice_version=notice.CURRENT,
                language=language,
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
    *,
    actor: User,
    application: JobApplication,
    ip: str | None = None,
    language: str = "",
    notice_version: str | None = None,
) -> tuple[MonitoringConsent, str]:
    """The candidate's "no" to the notice: a withdrawal when consent is active, otherwise a
    decline, recorded with the notice version shown. Returns (record, "withdrawn" |
    "declined"). Saying no again to the same notice records nothing new."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can answer the notice.", code="not_candidate")
    _check_version(notice_version)
    _check_language(language)
    # One answer at a time.
    JobApplication.objects.lock(application.pk)
    withdrawn = consent_withdraw(actor=actor, application=application, ip=ip)
    if withdrawn is not None:
        return withdrawn, "withdrawn"
    latest = consent_latest(application_id=application.pk)
    version = notice.CURRENT
    if latest is not None and latest.state == "declined" and latest.notice_version == version:
        return latest, "declined"
    now = timezone.now()
    declined = MonitoringConsent.objects.create(
        application=application,
        notice_version=version,
        language=language,
        declined_at=now,
        created_at=now,
        ip=ip,
    )
    _announce(application, actor, "declined", declined, ip)
    return declined, "declined"


def _drains(application: JobApplication, captured_at: datetime | None) -> bool:
    ended = application.terminated_at
    if application.status != JobApplication.Status.TERMINATED or ended is None:
        return False
    if timezone.now() > ended + timedelta(seconds=TERMINATION_DRAIN_SECONDS):
        return False
    return captured_at is None or captured_at <= ended


def recording_check(
    *, application: JobApplication, draining: bool = False, captured_at: datetime | None = None
) -> None:
    """The one rule for uploads, camera on and page events: nothing is recorded outside the
    interview. 409 unless it is in progress and the candidate's consent is active and to
    the notice in force (a changed notice asks again).

    One exception, for uploads only (`draining`): an interview a reviewer ended takes the
    captures its page took before the end for TERMINATION_DRAIN_SECONDS more (the page's
    queue drains); `captured_at` None is "not known yet" (the API's check before parsing).

    (`JobApplication.objects.recordable()` is the same rule as a query.)
    """
    if not (draining and _drains(application, captured_at)) and (
        application.status != JobApplication.Status.IN_PROGRESS
    ):
        raise Conflict(
            _("The interview is %(status)s: nothing is recorded unless it is in progress.")
            % {"status": application.get_status_display().lower()},
            code="application_not_active",
        )
    consent = consent_active(application_id=application.pk)
    if consent is None:
        raise Conflict(
            _("The candidate has not consented to monitoring for this interview."),
            code="consent_required",
        )
    if consent.outdated:
        raise Conflict(
            _(
                "The monitoring notice has changed since the candidate agreed to it: nothing "
                "is recorded until they have read what changed and agreed again."
            ),
            code="consent_required",
        )
