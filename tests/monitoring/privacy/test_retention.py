"""Retention with a frozen clock: kept the day before the window ends, gone the day after —
objects from the real S3 endpoint (moto server) as well as rows; a legal hold keeps
everything; the window is the organization's own, or the default."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from applications.models import JobApplication
from cameras.models import CameraEvent
from monitoring.models import (
    ErasureJob,
    IntegrityEvent,
    IntegritySummary,
    MonitoringEvent,
    MonitoringImage,
)
from monitoring.privacy.services import retention_sweep
from tests.factories import JobApplicationFactory

from .conftest import build_record, stored_under

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The daily sweep at a given moment, with the erasures it queues run (eager)."""

    def run(at):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return retention_sweep()

    return run


def _end(application, at, status=JobApplication.Status.COMPLETED):
    stamp = "completed_at" if status == JobApplication.Status.COMPLETED else "withdrawn_at"
    JobApplication.objects.filter(pk=application.pk).update(
        status=status, started_at=at - timedelta(hours=1), **{stamp: at}
    )
    application.refresh_from_db()
    return application


def _kept(application, record) -> bool:
    return sorted(stored_under(application.pk)) == sorted(
        [*record.keys, record.orphan]
    ) and MonitoringImage.objects.filter(application=application).count() == len(record.keys)


def _gone(application) -> bool:
    return (
        stored_under(application.pk) == []
        and not MonitoringImage.objects.filter(application=application).exists()
        and not MonitoringEvent.objects.filter(application=application).exists()
        and not IntegrityEvent.objects.filter(application=application).exists()
        and not IntegritySummary.objects.filter(application=application).exists()
        and not CameraEvent.objects.filter(application=application).exists()
    )


def test_kept_a_day_before_the_window_ends_and_gone_a_day_after(acme, s3, sweep):
    acme.organization.retention_days = 30
    acme.organization.save()
    ended = timezone.now() - timedelta(days=40)
    record = build_record(_end(acme.application, ended), at=ended - timedelta(minutes=30))

    assert sweep(ended + timedelta(days=29)) == 0
    assert _kept(acme.application, record)

    assert sweep(ended + timedelta(days=31)) == 1
    assert _gone(acme.application)
    application = JobApplication.objects.get(pk=acme.application.pk)  # the row stays
    assert application.recording_deleted_at is not None
    assert application.consents.exists()  # the consent record stays with it
    job = ErasureJob.objects.get()
    assert (job.kind, job.state, job.objects_deleted) == ("retention", "done", 4)
    assert job.application_id == application.pk

    assert sweep(ended + timedelta(days=32)) == 0  # nothing left to delete


def test_a_legal_hold_keeps_everything(acme, s3, sweep):
    ended = timezone.now() - timedelta(days=400)
    record = build_record(_end(acme.application, ended), at=ended)
    JobApplication.objects.filter(pk=acme.application.pk).update(legal_hold=True)
    assert sweep(timezone.now()) == 0
    assert _kept(acme.application, record)


def test_the_default_window_applies_without_an_organization_window(acme, globex, s3, sweep):
    globex.organization.retention_days = 7
    globex.organization.save()
    ended = timezone.now() - timedelta(days=1)
    default = settings.MONITORING_RETENTION_DAYS
    acme_record = build_record(_end(acme.application, ended), at=ended)
    build_record(
        _end(globex.application, ended, JobApplication.Status.WITHDRAWN), at=ended
    )  # withdrawn interviews end too

    assert sweep(ended + timedelta(days=8)) == 1  # globex's 7 days
    assert _gone(globex.application)
    assert _kept(acme.application, acme_record)
    assert sweep(ended + timedelta(days=default + 1)) == 1
    assert _gone(acme.application)


def test_an_interview_that_never_ended_counts_from_its_last_capture(acme, s3, sweep):
    started = timezone.now() - timedelta(days=200)
    JobApplication.objects.filter(pk=acme.application.pk).update(started_at=started)
    last = started + timedelta(days=50)
    record = build_record(acme.application, at=last)
    MonitoringImage.objects.filter(application=acme.application).update(received_at=last)
    days = settings.MONITORING_RETENTION_DAYS
    assert sweep(last + timedelta(days=days - 1)) == 0
    assert _kept(acme.application, record)
    assert sweep(last + timedelta(days=days + 1)) == 1
    assert _gone(acme.application)


def test_an_interview_never_started_has_nothing_to_delete(acme, sweep):
    JobApplicationFactory(job=acme.job, status=JobApplication.Status.INVITED)
    assert sweep(timezone.now() + timedelta(days=1000)) == 0
    assert not ErasureJob.objects.exists()


def test_the_sweep_is_scheduled_for_beat_and_the_embedded_runner():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"monitoring.retention_sweep", "monitoring.erasure_resume"} <= schedule


def test_the_sweep_works_in_batches(acme, s3, sweep, settings):
    settings.RETENTION_SWEEP_BATCH = 2
    ended = timezone.now() - timedelta(days=400)
    for _ in range(5):
        application = _end(JobApplicationFactory(job=acme.job), ended)
        build_record(application, at=ended, captures=1)
    assert sweep(timezone.now()) == 2  # …and queued itself again until none was due
    assert ErasureJob.objects.filter(state="done").count() == 5


def test_old_receipts_and_audit_entries_expire(acme, s3, sweep):
    from monitoring.models import AccessEvent

    ended = timezone.now() - timedelta(days=1000)
    build_record(_end(acme.application, ended), at=ended)
    AccessEvent.objects.update(created_at=ended)
    assert sweep(timezone.now()) == 1
    assert not AccessEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=731))
    assert ErasureJob.objects.count() == 1
    later = timezone.now() + timedelta(days=settings.ERASURE_RECEIPT_DAYS + 1)
    sweep(later)
    assert not ErasureJob.objects.exists()


def test_sign_in_records_follow_their_retention_setting(db, settings):
    """django-axes keeps every sign-in (username, address, browser): SIGNIN_LOG_RETENTION_DAYS."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    settings.SIGNIN_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    for model, extra in (
        (AccessLog, {}),
        (AccessFailureLog, {}),
        (AccessAttempt, {"get_data": "", "post_data": "", "failures_since_start": 1}),
    ):
        for days in (31, 29):
            row = model.objects.create(
                username=f"someone-{days}", ip_address="192.0.2.1", user_agent="x", **extra
            )
            model.objects.filter(pk=row.pk).update(attempt_time=now - timedelta(days=days))
    retention_sweep(now=now)
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        assert list(model.objects.values_list("username", flat=True)) == ["someone-29"], model
