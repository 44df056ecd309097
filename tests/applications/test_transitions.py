"""The transition table (README): every cell, success and refusal, through the API."""

import pytest

from applications.models import JobApplication
from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from monitoring.models import AccessEvent, MonitoringImage
from tests.factories import MonitoringConsentFactory
from tests.monitoring.conftest import b64, image_bytes

pytestmark = pytest.mark.django_db

STATUSES = ["invited", "in_progress", "completed", "withdrawn"]
ACTIONS = {  # action → (who asks, the state it leads to, the time it stamps)
    "start": ("candidate", "in_progress", "started_at"),
    "finish": ("candidate", "completed", "completed_at"),
    "withdraw": ("recruiter", "withdrawn", "withdrawn_at"),
}
ALLOWED = {
    ("invited", "start"),
    ("in_progress", "finish"),
    ("invited", "withdraw"),
    ("in_progress", "withdraw"),
}


def _post(client, application, action):
    return client.post(f"/api/applications/{application.id}/{action}/")


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
def test_every_cell_of_the_table(acme, token_client_for, status, action):
    JobApplication.objects.filter(pk=acme.application.pk).update(status=status)
    who, target, stamp = ACTIONS[action]
    response = _post(token_client_for(getattr(acme, who)), acme.application, action)
    acme.application.refresh_from_db()
    if (status, action) in ALLOWED:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == target
        assert acme.application.status == target
        assert getattr(acme.application, stamp) is not None
        assert response.json()[stamp] is not None
        audit = AccessEvent.objects.get(action="status_changed")
        assert audit.detail == f"{status} → {target}" and audit.actor == getattr(acme, who)
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert acme.application.status == status
        assert getattr(acme.application, stamp) is None
        assert not AccessEvent.objects.filter(action="status_changed").exists()


@pytest.mark.parametrize(
    ("action", "who", "status_code"),
    [
        ("start", "recruiter", 403),
        ("finish", "recruiter", 403),
        ("withdraw", "candidate", 403),
        ("withdraw", "other recruiter", 404),  # not even visible
        ("finish", "other candidate", 404),
    ],
)
def test_only_the_right_person_may_ask(
    acme, globex, admin_user, token_client_for, action, who, status_code
):
    actors = {
        "recruiter": acme.recruiter,
        "candidate": acme.candidate,
        "other recruiter": globex.recruiter,
        "other candidate": globex.candidate,
    }
    response = _post(token_client_for(actors[who]), acme.application, action)
    assert response.status_code == status_code
    acme.application.refresh_from_db()
    assert acme.application.status == "in_progress"


def test_an_admin_may_withdraw(acme, admin_user, token_client_for):
    assert _post(token_client_for(admin_user), acme.application, "withdraw").status_code == 200


@pytest.mark.parametrize("action", ["finish", "withdraw"])
def test_ending_turns_the_camera_off_and_refuses_captures(
    acme, token_client_for, django_capture_on_commit_callbacks, action
):
    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    who = ACTIONS[action][0]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            _post(token_client_for(getattr(acme, who)), acme.application, action).status_code == 200
        )
    assert CameraStream.objects.get(user=acme.candidate).is_active is False
    upload = token_client_for(acme.candidate).post(
        f"/api/applications/{acme.application.id}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(image_bytes(size=(64, 48)))},
        format="json",
    )
    assert upload.status_code == 409 and upload.json()["code"] == "application_not_active"
    assert not MonitoringImage.objects.exists()


def test_status_in_a_patch_is_refused_and_nothing_changes(acme, token_client_for):
    response = token_client_for(acme.recruiter).patch(
        f"/api/applications/{acme.application.id}/",
        {"status": "completed", "camera_interval": 10},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "status_not_writable"
    acme.application.refresh_from_db()
    assert acme.application.status == "in_progress" and acme.application.completed_at is None
    assert acme.application.camera_interval == 30  # the whole PATCH is refused
    ok = token_client_for(acme.recruiter).patch(
        f"/api/applications/{acme.application.id}/", {"camera_interval": 10}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["camera_interval"] == 10
