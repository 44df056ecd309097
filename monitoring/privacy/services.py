"""Erasure and retention: what the consent notice promises about deleting.

Every deletion of an interview's recording is an ErasureJob — asked for (one interview, one
candidate), due (the organization's retention window has passed), or following a delete in
the admin. A job deletes the stored objects first (everything under the interview's storage
prefix, including objects no row names), then the rows, in short steps that record their
progress on the job; a step that dies is finished by the resume sweep. A finished job is the
receipt: numbers and ids, no personal data.
"""

import contextvars
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import signin_records_erase, signin_records_expire
from applications.models import Invitation, JobApplication, MonitoringConsent
from cameras.services import camera_history_delete, camera_presence_erase
from common import pipeline
from common.errors import Conflict, InvalidInput
from common.http import RequestInfo
from monitoring import followups
from monitoring.audit.services import access_log
from monitoring.identity.services import identity_documents_expire
from monitoring.images.storage import STORAGE_ERRORS, application_prefix, delete_under
from monitoring.models import (
    AccessEvent,
    DeletedCapture,
    ErasureJob,
    IdentityDecision,
    IdentityReference,
    IncidentVerdict,
    IntegrityEvent,
    IntegritySummary,
    MonitoringEvent,
    MonitoringImage,
    ReviewNote,
)
from monitoring.signals import erasure_completed

from .selectors import retention_due

logger = logging.getLogger(__name__)

Kind = ErasureJob.Kind
State = ErasureJob.State

# Set while an erasure deletes an application itself, so the admin's pre_delete path
# (monitoring.privacy.receivers) does not start a second job for it.
erasing = contextvars.ContextVar("erasing", default=False)


# --- Asking --------------------------------------------------------------------------------


def erasure_check(*, applications: list[JobApplication]) -> None:
    """Refusals: a legal hold keeps everything; an interview in progress is still recording."""
    for application in applications:
        if application.legal_hold:
            raise Conflict(
                "This interview is under a legal hold: its record cannot be erased until the "
                "hold is lifted.",
                code="legal_hold",
            )
        if application.status == JobApplication.Status.IN_PROGRESS:
            raise Conflict(
                "This interview is in progress: finish or withdraw it before erasing its record.",
                code="interview_in_progress",
            )


def application_erase(*, actor: User, application: JobApplication, info: RequestInfo) -> ErasureJob:
    """Erase one interview: its stored images, then every row recorded for it — captures,
    analyses, events, incidents, camera history, consent records, invitations — and the
    application itself. Returns the job (its receipt once done)."""
    erasure_check(applications=[application])
    job = ErasureJob.objects.create(
        kind=Kind.APPLICATION,
        application=application,
        application_ids=[application.pk],
        organization_id=application.job.organization_id,
        requested_by=actor,
    )
    return _run_now(job, actor=actor, info=info)


def user_erase(*, actor: User, user: User, info: RequestInfo) -> ErasureJob:
    """Erase a candidate: every interview of theirs (as above), their camera presence history,
    and their identity — the account stays, anonymised and deactivated, so that what others
    did (a reviewer's deletions, the audit) still adds up."""
    if user.role != User.Role.CANDIDATE:
        raise InvalidInput(
            "Only a candidate's data can be erased this way; staff accounts are deactivated "
            "instead.",
            code="not_a_candidate",
        )
    applications = list(JobApplication.objects.filter(candidate=user).select_related("job"))
    erasure_check(applications=applications)
    job = ErasureJob.objects.create(
        kind=Kind.USER,
        application_ids=[a.pk for a in applications],
        user_id=user.pk,
        requested_by=actor,
    )
    return _run_now(job, actor=actor, info=info)


def _run_now(job: ErasureJob, *, actor: User, info: RequestInfo) -> ErasureJob:
    """Run the job within the request (most finish in well under a second); what does not fit
    in ERASURE_REQUEST_SECONDS carries on as tasks. The request is audited either way."""
    access_log(
        actor=actor,
        action=AccessEvent.Action.ERASED,
        info=info,
        application_id=job.application_id,
        detail=f"receipt {job.receipt_id} ({job.get_kind_display().lower()})",
    )
    return erasure_run(job_id=job.pk, seconds=settings.ERASURE_REQUEST_SECONDS)


# --- Running -------------------------------------------------------------------------------


def erasure_run(*, job_id: int, seconds: float | None = None) -> ErasureJob:
    """Take the job a step further for at most `seconds` (ERASURE_TASK_SECONDS); queue the
    next step if it is not done. Safe to run twice: a lease keeps a second runner out, and
    every step is idempotent."""
    seconds = settings.ERASURE_TASK_SECONDS if seconds is None else seconds
    job = _lease(job_id, seconds)
    if job is None:
        return ErasureJob.objects.get(pk=job_id)
    deadline = time.monotonic() + seconds
    try:
        if job.state == State.OBJECTS:
            _delete_objects(job, deadline)
        if job.state == State.ROWS and time.monotonic() < deadline:
            _delete_rows(job, deadline)
    except STORAGE_ERRORS as exc:  # the store is failing: the resume sweep tries again
        ErasureJob.objects.filter(pk=job.pk).update(
            attempts=job.attempts + 1, last_error=str(exc)[:300], leased_until=None
        )
        logger.warning("Erasure %s paused: %s", job.receipt_id, exc)
        job.refresh_from_db()
        return job
    ErasureJob.objects.filter(pk=job.pk).update(leased_until=None)
    job.leased_until = None
    if job.state != State.DONE:
        pipeline.enqueue(followups.ERASURE_RUN, job.pk)
    return job


def _lease(job_id: int, seconds: float) -> ErasureJob | None:
    now = timezone.now()
    claimed = (
        ErasureJob.objects.filter(pk=job_id)
        .exclude(state=State.DONE)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + timedelta(seconds=2 * seconds + 30))
    )
    return ErasureJob.objects.get(pk=job_id) if claimed else None


def _delete_objects(job: ErasureJob, deadline: float) -> None:
    """Everything under each interview's prefix, rows or no rows, in batches."""
    for application_id in job.application_ids:
        prefix = application_prefix(application_id)
        while True:
            deleted = delete_under(prefix, limit=settings.ERASURE_BATCH)
            if deleted:
                job.objects_deleted += deleted
                ErasureJob.objects.filter(pk=job.pk).update(objects_deleted=job.objects_deleted)
            if deleted < settings.ERASURE_BATCH:
                break  # this prefix is empty now
            if time.monotonic() >= deadline:
                return
    job.state = State.ROWS
    ErasureJob.objects.filter(pk=job.pk).update(state=State.ROWS)


def _delete_rows(job: ErasureJob, deadline: float) -> None:
    ids = job.application_ids
    # Captures (and their analyses) in batches: the big part, one short transaction each.
    while True:
        batch = list(
            MonitoringImage.objects.filter(application_id__in=ids).values_list("pk", flat=True)[
                : settings.ERASURE_BATCH
            ]
        )
        if not batch:
            break
        with transaction.atomic():
            deleted, _ = MonitoringImage.objects.filter(pk__in=batch).delete()
            job.rows_deleted += deleted
            ErasureJob.objects.filter(pk=job.pk).update(rows_deleted=job.rows_deleted)
        if time.monotonic() >= deadline:
            return
    with transaction.atomic():
        # Whose interviews these were, read before their rows go (the admin's delete took
        # its row already: the job names the organization).
        organizations = dict.fromkeys(ids, job.organization_id)
        organizations.update(
            JobApplication.objects.filter(pk__in=ids).values_list("pk", "job__organization_id")
        )
        compared = _compared_with(ids)
        rows = _delete_record_rows(ids)
        for application_id in compared:  # their comparisons with these selfies are gone
            pipeline.enqueue(followups.REBUILD_INTEGRITY, application_id)
        if job.kind == Kind.RETENTION:
            JobApplication.objects.filter(pk__in=ids).update(recording_deleted_at=timezone.now())
        else:
            rows += _delete_applications(ids)
        if job.kind == Kind.USER and job.user_id is not None:
            rows += camera_presence_erase(user_id=job.user_id)
            _anonymise(job.user_id)
        job.rows_deleted += rows
        job.state = State.DONE
        job.erased_at = timezone.now()
        ErasureJob.objects.filter(pk=job.pk).update(
            rows_deleted=job.rows_deleted, state=State.DONE, erased_at=job.erased_at, last_error=""
        )
        erasure_completed.send(sender=ErasureJob, job=job, organizations=organizations)


def _compared_with(ids: list[int]) -> list[int]:
    """The other interviews whose selfies were compared with these interviews' selfies (the
    same candidate's, in the same organization): `identity_changed_since` incidents name
    them, and must go with the evidence."""
    pairs = set(
        IdentityReference.objects.filter(application_id__in=ids).values_list(
            "application__candidate_id", "application__job__organization_id"
        )
    )
    others = set()
    for candidate_id, organization_id in pairs:
        others |= set(
            JobApplication.objects.filter(
                candidate_id=candidate_id, job__organization_id=organization_id
            )
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
    return sorted(others)


def _delete_record_rows(ids: list[int]) -> int:
    """What retention removes: page events, incidents with reviewers' verdicts and notes, the
    score, camera history, and the identity check (references with their face templates,
    reviewers' decisions)."""
    rows = 0
    for model in (
        IncidentVerdict,
        ReviewNote,
        MonitoringEvent,
        IntegrityEvent,
        IntegritySummary,
        DeletedCapture,
        IdentityDecision,
        IdentityReference,
    ):
        deleted, _ = model.objects.filter(application_id__in=ids).delete()
        rows += deleted
    return rows + camera_history_delete(application_ids=ids)


def _delete_applications(ids: list[int]) -> int:
    """The interviews themselves, with their consent records and invitations. The candidate's
    own network details leave the audit rows about these interviews."""
    candidate_ids = list(
        JobApplication.objects.filter(pk__in=ids).values_list("candidate_id", flat=True)
    )
    AccessEvent.objects.filter(application_id__in=ids, actor_id__in=candidate_ids).update(
        ip=None, user_agent=""
    )
    rows = 0
    token = erasing.set(True)
    try:
        for model in (MonitoringConsent, Invitation):
            deleted, _ = model.objects.filter(application_id__in=ids).delete()
            rows += deleted
        deleted, _ = JobApplication.objects.filter(pk__in=ids).delete()
        rows += deleted
    finally:
        erasing.reset(token)
    return rows


def _anonymise(user_id: int) -> None:
    """The account stays (others' records point at it), as nobody: no name, no address, no
    way in; its network details leave the audit log."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    old_username = user.username
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()  # ends every session and socket, revokes the token (accounts.receivers)
    scrub_audit(user_id=user.pk, username=old_username)
    signin_records_erase(user=user, username=old_username)


def scrub_audit(*, user_id: int, username: str = "") -> None:
    """Keep what happened, drop who from where: the user's IP and user agent, and the name
    typed into failed sign-ins."""
    AccessEvent.objects.filter(actor_id=user_id).update(ip=None, user_agent="")
    if username:
        AccessEvent.objects.filter(
            action=AccessEvent.Action.SIGN_IN_FAILED, detail=f"username {username!r}"
        ).update(detail="username (erased)", ip=None, user_agent="")


# --- Sweeps ----------------------------------------------------------------------------------


def retention_sweep(*, now=None) -> int:
    """Daily: a job for each interview whose window has passed (at most RETENTION_SWEEP_BATCH
    per run; the sweep queues itself again while more are due), then ID document photos past
    their own, shorter window, old receipts and audit entries go. Returns the jobs started."""
    now = now or timezone.now()
    due = retention_due(now=now, limit=settings.RETENTION_SWEEP_BATCH)
    for application in due:
        job = ErasureJob.objects.create(
            kind=Kind.RETENTION,
            application=application,
            application_ids=[application.pk],
            organization_id=application.job.organization_id,
        )
        pipeline.enqueue(followups.ERASURE_RUN, job.pk)
    if len(due) >= settings.RETENTION_SWEEP_BATCH:
        pipeline.enqueue(followups.RETENTION_SWEEP)
    identity_documents_expire(now=now)
    records_expire(now=now)
    if due:
        logger.info("Retention: %d interview(s) past their window", len(due))
    return len(due)


def records_expire(*, now=None) -> tuple[int, int]:
    """Receipts older than ERASURE_RECEIPT_DAYS and audit entries older than
    AUDIT_RETENTION_DAYS are deleted (24 months each by default); django-axes' sign-in records
    older than SIGNIN_LOG_RETENTION_DAYS (90) too."""
    now = now or timezone.now()
    signin_records_expire(before=now - timedelta(days=settings.SIGNIN_LOG_RETENTION_DAYS))
    receipts, _ = ErasureJob.objects.filter(
        state=State.DONE, erased_at__lt=now - timedelta(days=settings.ERASURE_RECEIPT_DAYS)
    ).delete()
    audit, _ = AccessEvent.objects.filter(
        created_at__lt=now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    ).delete()
    return receipts, audit


def erasure_resume(*, now=None) -> int:
    """Every minute: jobs that stopped half-way (a task died, the store failed) go on."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.ERASURE_RESUME_SECONDS)
    ids = list(
        ErasureJob.objects.exclude(state=State.DONE)
        .filter(updated_at__lt=stale)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .values_list("pk", flat=True)[:100]
    )
    for job_id in ids:
        ErasureJob.objects.filter(pk=job_id).update(updated_at=now)
        pipeline.enqueue(followups.ERASURE_RUN, job_id)
    return len(ids)


# --- The admin's delete ----------------------------------------------------------------------


def application_deleted(*, application: JobApplication) -> ErasureJob | None:
    """An application is being deleted outside an erasure (the admin, a cascade from its
    job, organization or candidate): its rows go with the delete; a job removes its stored
    objects once the delete commits (and the resume sweep, should that fail)."""
    if erasing.get():
        return None
    job = ErasureJob.objects.create(
        kind=Kind.ADMIN_DELETE,
        application_ids=[application.pk],
        organization_id=application.job.organization_id,
        rows_deleted=_count_record(application.pk),
    )
    pipeline.enqueue(followups.ERASURE_RUN, job.pk)
    return job


def _count_record(application_id: int) -> int:
    return sum(
        model.objects.filter(application_id=application_id).count()
        for model in (
            MonitoringImage,
            MonitoringEvent,
            IntegrityEvent,
            MonitoringConsent,
            DeletedCapture,
            IdentityReference,
            IdentityDecision,
            IncidentVerdict,
            ReviewNote,
        )
    )
