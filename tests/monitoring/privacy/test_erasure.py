"""Erasure on request: stored objects first (everything under the interview's prefix), then
every row; a receipt without personal data; refusals; a crash half-way is finished by the
resume sweep; a delete in the admin reaches the same service."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from applications.models import Invitation, JobApplication, MonitoringConsent
from cameras.models import CameraEvent, CameraStream
from monitoring.models import (
    AccessEvent,
    ErasureJob,
    FrameAnalysis,
    IntegrityEvent,
    IntegritySummary,
    MonitoringEvent,
    MonitoringImage,
)
from monitoring.privacy import services
from tests.factories import CameraStreamFactory, JobApplicationFactory

from .conftest import build_record, stored_under

pytestmark = pytest.mark.django_db


def _completed(application):
    application.status = JobApplication.Status.COMPLETED
    application.completed_at = timezone.now()
    application.save()
    return application


def _erase(client, application):
    return client.post(f"/api/applications/{application.pk}/erase/", format="json")


def _nothing_left(application_id: int) -> None:
    assert stored_under(application_id) == []
    for model in (MonitoringImage, MonitoringEvent, IntegrityEvent, IntegritySummary):
        assert not model.objects.filter(application_id=application_id).exists(), model
    assert not CameraEvent.objects.filter(application_id=application_id).exists()
    assert not MonitoringConsent.objects.filter(application_id=application_id).exists()
    assert not JobApplication.objects.filter(pk=application_id).exists()


def test_erasing_an_interview_removes_every_object_then_every_row(acme, client_for, s3):
    record = build_record(_completed(acme.application))
    assert len(stored_under(acme.application.pk)) == 4  # 3 captures + the orphan
    analyses = FrameAnalysis.objects.count()

    response = _erase(client_for(acme.recruiter), acme.application)

    assert response.status_code == 200, response.content
    receipt = response.json()
    assert set(receipt) >= {"receipt_id", "erased_at", "objects_deleted", "rows_deleted"}
    assert receipt["objects_deleted"] == 4
    # 3 captures + 2 analyses + event + incident + score + camera event + consent + application
    assert receipt["rows_deleted"] == 3 + analyses + 1 + 1 + 1 + 1 + 1 + 1
    _nothing_left(record.application.pk)
    assert not AccessEvent.objects.filter(ip="203.0.113.7").exists()  # scrubbed, kept
    assert AccessEvent.objects.filter(action=AccessEvent.Action.CONSENT_GIVEN).exists()
    erased = AccessEvent.objects.get(action=AccessEvent.Action.ERASED)
    assert erased.actor == acme.recruiter and receipt["receipt_id"] in erased.detail
    job = ErasureJob.objects.get(receipt_id=receipt["receipt_id"])
    assert job.state == "done" and job.application_ids == [record.application.pk]
    assert job.user_id is None  # a receipt holds numbers and ids, no personal data


def test_the_receipt_can_be_read_again(acme, globex, client_for, admin_user, s3):
    build_record(_completed(acme.application))
    receipt = _erase(client_for(acme.recruiter), acme.application).json()
    url = f"/api/erasure-receipts/{receipt['receipt_id']}/"
    assert client_for(acme.recruiter).get(url).json()["objects_deleted"] == 4
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(globex.recruiter).get(url).status_code == 404
    assert client_for(acme.candidate).get(url).status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"legal_hold": True, "status": "completed"}, 409, "legal_hold"),
        ({"status": "in_progress"}, 409, "interview_in_progress"),
    ],
)
def test_refusals_keep_everything(acme, client_for, s3, change, status, code):
    JobApplication.objects.filter(pk=acme.application.pk).update(**change)
    acme.application.refresh_from_db()
    record = build_record(acme.application)
    response = _erase(client_for(acme.recruiter), acme.application)
    assert response.status_code == status
    assert response.json() == {
        "success": False,
        "message": response.json()["message"],
        "code": code,
    }
    assert sorted(stored_under(acme.application.pk)) == sorted([*record.keys, record.orphan])
    assert MonitoringImage.objects.filter(application=acme.application).count() == 3
    assert not ErasureJob.objects.exists()


def test_who_may_erase(acme, globex, client_for, admin_user):
    _completed(acme.application)
    assert _erase(client_for(acme.candidate), acme.application).status_code == 403
    assert _erase(client_for(globex.recruiter), acme.application).status_code == 404
    assert _erase(client_for(admin_user), acme.application).status_code == 200


def test_erasing_a_candidate_anonymises_the_account(acme, globex, client_for, admin_user, s3):
    # john has interviews with two organizations, a camera stream, a token, failed sign-ins
    other = _completed(JobApplicationFactory(job=globex.job, candidate=acme.candidate))
    build_record(_completed(acme.application))
    build_record(other)
    CameraStreamFactory(user=acme.candidate, application=acme.application)
    Token.objects.create(user=acme.candidate)
    AccessEvent.objects.create(
        action=AccessEvent.Action.SIGN_IN_FAILED, detail="username 'john'", ip="203.0.113.9"
    )
    response = client_for(admin_user).post(f"/api/users/{acme.candidate.pk}/erase/")
    assert response.status_code == 200, response.content
    receipt = response.json()
    assert receipt["objects_deleted"] == 8
    assert sorted(receipt["application_ids"]) == sorted([acme.application.pk, other.pk])
    for application_id in receipt["application_ids"]:
        _nothing_left(application_id)
    user = User.objects.get(pk=acme.candidate.pk)
    assert user.username == f"erased-{user.pk}"
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.is_active and not user.has_usable_password()
    assert not Token.objects.filter(user=user).exists()
    assert not CameraStream.objects.filter(user=user).exists()
    assert not AccessEvent.objects.filter(actor=user).exclude(ip=None).exists()
    assert not AccessEvent.objects.filter(detail__contains="john").exists()


def test_candidate_erasure_refusals(acme, client_for, admin_user):
    admin = client_for(admin_user)
    assert admin.post(f"/api/users/{acme.recruiter.pk}/erase/").json()["code"] == (
        "not_a_candidate"
    )
    assert admin.post(f"/api/users/{acme.candidate.pk}/erase/").json()["code"] == (
        "interview_in_progress"
    )
    assert admin.post("/api/users/999999/erase/").status_code == 404
    assert (
        client_for(acme.recruiter).post(f"/api/users/{acme.candidate.pk}/erase/").status_code == 403
    )


def test_a_crash_between_objects_and_rows_is_finished_by_the_resume_sweep(
    acme, admin_user, s3, monkeypatch, django_capture_on_commit_callbacks
):
    record = build_record(_completed(acme.application))

    def crash(job, deadline):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(services, "_delete_rows", crash)
    with pytest.raises(RuntimeError):
        services.application_erase(
            actor=admin_user, application=acme.application, info=services.RequestInfo()
        )
    job = ErasureJob.objects.get()
    assert job.state == "rows" and job.objects_deleted == 4
    assert stored_under(acme.application.pk) == []  # objects first…
    assert MonitoringImage.objects.filter(application=acme.application).count() == 3  # …rows not
    monkeypatch.undo()

    assert services.erasure_resume() == 0  # still leased: the dead worker's lease must lapse
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.erasure_resume() == 1  # eager: the run happens after commit
    job.refresh_from_db()
    assert job.state == "done" and job.erased_at is not None
    _nothing_left(record.application.pk)


def test_deleting_in_the_admin_leaves_no_object(
    acme, client, admin_user, s3, django_capture_on_commit_callbacks
):
    build_record(_completed(acme.application))
    second = _completed(JobApplicationFactory(job=acme.job))
    build_record(second)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/applications/jobapplication/{acme.application.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    _nothing_left(acme.application.pk)
    job = ErasureJob.objects.get()
    assert job.kind == "admin_delete" and job.state == "done" and job.objects_deleted == 4

    with django_capture_on_commit_callbacks(execute=True):  # a candidate, with their interviews
        response = client.post(
            f"/admin/accounts/user/{second.candidate.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    _nothing_left(second.pk)
    assert Invitation.objects.count() == 0
