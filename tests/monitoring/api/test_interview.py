"""Start, finish and page events through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import JobApplication
from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from monitoring.models import MonitoringEvent

pytestmark = pytest.mark.django_db


def test_candidate_starts_an_invited_interview(acme, token_client_for):
    JobApplication.objects.filter(pk=acme.application.pk).update(status="invited")
    client = token_client_for(acme.candidate)
    response = client.post(f"/api/applications/{acme.application.id}/start/")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert response.json()["started_at"]
    assert client.post(f"/api/applications/{acme.application.id}/start/").status_code == 200


def test_only_the_candidate_starts(acme, token_client_for):
    response = token_client_for(acme.recruiter).post(
        f"/api/applications/{acme.application.id}/start/"
    )
    assert response.status_code == 403


def test_completed_interview_cannot_start_again(acme, token_client_for):
    JobApplication.objects.filter(pk=acme.application.pk).update(status="completed")
    response = token_client_for(acme.candidate).post(
        f"/api/applications/{acme.application.id}/start/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "application_not_startable"


def test_finish_completes_and_turns_the_camera_off(
    acme, token_client_for, django_capture_on_commit_callbacks
):
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client_for(acme.candidate).post(
            f"/api/applications/{acme.application.id}/finish/"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    acme.application.refresh_from_db()
    assert acme.application.completed_at is not None
    assert CameraStream.objects.get(user=acme.candidate).is_active is False


def test_recruiter_cannot_finish_for_the_candidate(acme, token_client_for):
    response = token_client_for(acme.recruiter).post(
        f"/api/applications/{acme.application.id}/finish/"
    )
    assert response.status_code == 403
    acme.application.refresh_from_db()
    assert acme.application.status == "in_progress"


def test_page_events_are_recorded_and_listed(acme, token_client_for):
    url = f"/api/applications/{acme.application.id}/events/"
    when = timezone.now() - timedelta(seconds=5)
    response = token_client_for(acme.candidate).post(
        url, {"type": "tab_hidden", "occurred_at": when.isoformat(), "detail": "x"}, format="json"
    )
    assert response.status_code == 201
    listed = token_client_for(acme.recruiter).get(url).json()
    assert [e["type"] for e in listed] == ["tab_hidden"]
    assert MonitoringEvent.objects.get().occurred_at == when


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"type": "camera_on"}, "invalid_choice"),
        ({"type": "tab_hidden", "occurred_at": "2000-01-01T00:00:00Z"}, "occurred_at_too_old"),
        ({"type": "tab_hidden", "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at_in_future"),
    ],
)
def test_bad_events_are_refused(acme, token_client_for, payload, code):
    response = token_client_for(acme.candidate).post(
        f"/api/applications/{acme.application.id}/events/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not MonitoringEvent.objects.exists()


def test_events_only_from_the_candidate(acme, globex, token_client_for):
    url = f"/api/applications/{acme.application.id}/events/"
    assert (
        token_client_for(acme.recruiter)
        .post(url, {"type": "tab_hidden"}, format="json")
        .status_code
        == 403
    )
    assert (
        token_client_for(globex.candidate)
        .post(url, {"type": "tab_hidden"}, format="json")
        .status_code
        == 404
    )
