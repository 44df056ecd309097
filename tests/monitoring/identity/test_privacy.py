"""Identity under the privacy rules (issue 32, point 3): references and templates go with the
record's retention; an ID document's photo and template go after the organization's
`document_retention_days` (a scheduled sweep); the candidate's copy holds the references and
each frame's distance; every view of a reference is audited."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Organization
from applications.models import JobApplication
from monitoring.models import AccessEvent, IdentityDecision, IdentityReference
from monitoring.privacy.services import retention_sweep
from tests.monitoring.conftest import bucket_keys

from .conftest import b64, document, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def john(consented, token_client_for):
    return token_client_for(consented.candidate)


@pytest.fixture
def rita(consented, token_client_for):
    return token_client_for(consented.recruiter)


@pytest.fixture
def shown(consented, john, rita, s3, django_capture_on_commit_callbacks):
    """Obama's selfie and ID card, a matching camera frame, a reviewer's confirmation; then the
    interview ends (now - 1 h)."""
    app = consented.application
    Organization.objects.filter(pk=consented.organization.pk).update(
        identity_check="selfie_and_document"
    )
    capture = django_capture_on_commit_callbacks
    for kind, image in (("selfie", photo("obama_2012")), ("document", document("obama_2009"))):
        with capture(execute=True):
            response = john.post(
                f"/api/applications/{app.id}/identity/",
                {"kind": kind, "image_data": b64(image)},
                format="json",
            )
        assert response.status_code == 201, response.json()
    with capture(execute=True):
        john.post(
            f"/api/applications/{app.id}/monitoring-images/",
            {
                "image_type": "camera",
                "image_data": b64(photo("obama_2010")),
                "captured_at": (timezone.now() - timedelta(minutes=2)).isoformat(),
            },
            format="json",
        )
    rita.post(
        f"/api/applications/{app.id}/identity/confirm/", {"decision": "confirmed"}, format="json"
    )
    ended = timezone.now() - timedelta(hours=1)
    JobApplication.objects.filter(pk=app.pk).update(status="completed", completed_at=ended)
    app.refresh_from_db()
    return app, ended


def _sweep(at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return retention_sweep()


def _document_keys(s3, app):
    return [k for k in bucket_keys(s3) if k.startswith(f"monitoring/{app.id}/identity/document/")]


def test_the_document_photo_goes_after_its_window_and_the_rest_stays(
    shown, rita, s3, django_capture_on_commit_callbacks
):
    app, ended = shown
    capture = django_capture_on_commit_callbacks
    before = rita.get(f"/api/applications/{app.id}/identity/").json()
    assert before["state"] == "confirmed" and before["document_match"]["matches"] is True
    assert len(_document_keys(s3, app)) == 1

    _sweep(ended + timedelta(days=29), capture)
    assert len(_document_keys(s3, app)) == 1  # kept the day before its 30 days end

    _sweep(ended + timedelta(days=31), capture)
    assert _document_keys(s3, app) == []
    document_row = IdentityReference.objects.get(application=app, kind="document")
    assert document_row.photo_deleted_at is not None and bytes(document_row.descriptor) == b""
    selfie = IdentityReference.objects.get(application=app, kind="selfie")
    assert selfie.photo_deleted_at is None and len(bytes(selfie.descriptor)) == 512
    assert any(k.startswith(f"monitoring/{app.id}/identity/selfie/") for k in bucket_keys(s3))
    assert any(k.startswith(f"monitoring/{app.id}/camera/") for k in bucket_keys(s3))

    after = rita.get(f"/api/applications/{app.id}/identity/").json()
    assert after["state"] == "confirmed"  # the decision and its grounds stay
    assert after["document_match"] == before["document_match"]
    [doc] = [r for r in after["references"] if r["kind"] == "document"]
    assert doc["url"] is None and doc["photo_deleted_at"] is not None
    entry = AccessEvent.objects.get(action="erased", application=app)
    assert "ID document" in entry.detail


def test_the_organizations_own_document_window_and_a_legal_hold(
    shown, consented, s3, django_capture_on_commit_callbacks
):
    app, ended = shown
    capture = django_capture_on_commit_callbacks
    Organization.objects.filter(pk=consented.organization.pk).update(document_retention_days=7)
    JobApplication.objects.filter(pk=app.pk).update(legal_hold=True)
    _sweep(ended + timedelta(days=8), capture)
    assert len(_document_keys(s3, app)) == 1  # a legal hold keeps it
    JobApplication.objects.filter(pk=app.pk).update(legal_hold=False)
    _sweep(ended + timedelta(days=8), capture)
    assert _document_keys(s3, app) == []


def test_a_document_of_an_interview_not_ended_is_kept(
    consented, john, s3, django_capture_on_commit_callbacks
):
    app = consented.application
    with django_capture_on_commit_callbacks(execute=True):
        john.post(
            f"/api/applications/{app.id}/identity/",
            {"kind": "document", "image_data": b64(document("obama_2009"))},
            format="json",
        )
    _sweep(timezone.now() + timedelta(days=60), django_capture_on_commit_callbacks)
    assert len(_document_keys(s3, app)) == 1


def test_references_and_templates_follow_the_records_retention(
    shown, s3, django_capture_on_commit_callbacks
):
    app, ended = shown
    _sweep(ended + timedelta(days=400), django_capture_on_commit_callbacks)
    assert bucket_keys(s3) == []
    assert not IdentityReference.objects.filter(application=app).exists()
    assert not IdentityDecision.objects.filter(application=app).exists()


def test_the_candidates_copy_holds_references_and_each_frames_distance(
    shown, john, s3, django_capture_on_commit_callbacks
):
    app, ended = shown
    response = john.get(f"/api/applications/{app.id}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    summary = json.loads(archive.read("identity.json"))
    assert [r["kind"] for r in summary["references"]] == ["selfie", "document"]
    for entry in summary["references"]:
        assert archive.read(entry["file"])[:2] == b"\xff\xd8"
    [frame] = summary["frames"]
    assert frame["matches"] is True and 0 < frame["distance"] < 0.6
    assert frame["capture"] in archive.namelist()
    assert "descriptor" not in json.dumps(summary)  # templates are never exported

    _sweep(ended + timedelta(days=31), django_capture_on_commit_callbacks)
    response = john.get(f"/api/applications/{app.id}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    summary = json.loads(archive.read("identity.json"))
    [doc] = [r for r in summary["references"] if r["kind"] == "document"]
    assert doc["file"] is None and doc["photo_deleted_at"] is not None
    assert "MISSING.txt" not in archive.namelist()


def test_every_view_of_a_reference_is_audited(shown, consented, rita, john):
    app, _ = shown
    candidate, recruiter = consented.candidate.username, consented.recruiter.username
    AccessEvent.objects.filter(action="url_issued").delete()
    rita.get(f"/api/applications/{app.id}/identity/")
    john.get(f"/api/applications/{app.id}/identity/")
    views = AccessEvent.objects.filter(action="url_issued", application=app)
    assert views.count() == 4
    assert {(v.actor.username, v.detail) for v in views} == {
        (recruiter, "identity selfie"),
        (recruiter, "identity document"),
        (candidate, "identity selfie"),
        (candidate, "identity document"),
    }
