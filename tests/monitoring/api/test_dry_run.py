"""The system check's test frame (`dry_run=true`, DESIGN.md third wave): analysed by the
server and kept nowhere — no object, no row, no s3Key — before consent, in any status, only
for the candidate, rate-limited apart from the interview's uploads."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import JobApplication
from monitoring.models import MonitoringImage
from tests.monitoring.conftest import FRAMES, b64, bucket_keys, image_bytes

pytestmark = pytest.mark.django_db


def _url(app) -> str:
    return f"/api/applications/{app.id}/monitoring-images/"


def _frame(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FRAMES / name).read_bytes(), content_type="image/jpeg")


def _rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.parametrize("status", ["invited", "in_progress", "completed"])
def test_a_dry_run_before_consent_analyses_and_stores_nothing(acme, s3, token_client_for, status):
    JobApplication.objects.filter(pk=acme.application.pk).update(status=status)
    client = token_client_for(acme.candidate)
    rows, objects = _rows(), bucket_keys(s3)
    response = client.post(
        _url(acme.application),
        {"image_type": "camera", "image": _frame("one_face.jpg"), "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True and "s3Key" not in body and "id" not in body
    assert body["analysis"]["face_count"] == 1 and body["analysis"]["flags"] == []
    assert body["analysis"]["width"] == 640 and body["analysis"]["height"] == 480
    assert body["server_time"]
    assert _rows() == rows and bucket_keys(s3) == objects == []


@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("two_faces.jpg", ["multiple_faces"]),
        ("no_face_coffee.jpg", ["no_face"]),
        ("covered_black.jpg", ["camera_covered"]),
    ],
)
def test_a_dry_run_says_what_the_reviewer_would_see(acme, s3, token_client_for, name, flags):
    response = token_client_for(acme.candidate).post(
        _url(acme.application),
        {"image_type": "camera", "image": _frame(name), "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["analysis"]["flags"] == flags


def test_a_screen_dry_run_in_json_answers_the_size(acme, s3, token_client_for):
    response = token_client_for(acme.candidate).post(
        _url(acme.application),
        {"image_type": "screen", "image_data": b64(image_bytes(size=(1280, 720))), "dry_run": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["analysis"] == {"width": 1280, "height": 720, "flags": []}
    assert not MonitoringImage.objects.exists() and bucket_keys(s3) == []


def test_without_dry_run_the_same_upload_still_needs_consent(acme, s3, token_client_for):
    response = token_client_for(acme.candidate).post(
        _url(acme.application),
        {"image_type": "camera", "image": _frame("one_face.jpg")},
        format="multipart",
    )
    assert response.status_code == 409 and response.json()["code"] == "consent_required"


def test_only_the_candidate_may_dry_run(acme, globex, s3, token_client_for):
    body = {"image_type": "camera", "image_data": b64(image_bytes()), "dry_run": True}
    reviewer = token_client_for(acme.recruiter).post(_url(acme.application), body, format="json")
    assert reviewer.status_code == 403 and reviewer.json()["code"] == "not_candidate"
    stranger = token_client_for(globex.candidate).post(_url(acme.application), body, format="json")
    assert stranger.status_code == 404 and stranger.json()["success"] is False


def test_a_dry_run_of_a_broken_image_is_a_400(acme, s3, token_client_for):
    response = token_client_for(acme.candidate).post(
        _url(acme.application),
        {"image_type": "camera", "image_data": "bm90IGFuIGltYWdl", "dry_run": True},
        format="json",
    )
    assert response.status_code == 400 and response.json()["success"] is False


def test_dry_runs_are_rate_limited_per_candidate(acme, s3, token_client_for, limits_on):
    limits_on.RATE_LIMIT_DRY_RUN = "2 per 60 seconds"
    client = token_client_for(acme.candidate)
    body = {"image_type": "camera", "image_data": b64(image_bytes()), "dry_run": True}
    answers = [client.post(_url(acme.application), body, format="json") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "rate_limited" and answers[2]["Retry-After"]
