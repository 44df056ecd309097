"""Nothing recorded outside the interview: camera on needs an application in progress with
consent (409 otherwise); camera off is always accepted; seed clients reach their recruiter."""

import pytest

from applications.models import JobApplication, MonitoringConsent
from cameras.models import CameraStream
from tests.factories import JobApplicationFactory, JobFactory, MonitoringConsentFactory

pytestmark = pytest.mark.django_db


def _status(client, **body):
    return client.post("/api/camera/status", body, format="json")


@pytest.mark.parametrize(
    ("status", "consent", "code"),
    [
        ("in_progress", False, "consent_required"),
        ("invited", True, "application_not_active"),
        ("completed", True, "application_not_active"),
        ("withdrawn", True, "application_not_active"),
    ],
)
def test_camera_on_outside_the_interview_is_409(acme, token_client_for, status, consent, code):
    MonitoringConsent.objects.all().delete()
    JobApplication.objects.filter(pk=acme.application.pk).update(status=status)
    if consent:
        MonitoringConsentFactory(application=acme.application)
    client = token_client_for(acme.candidate)
    response = _status(client, is_active=True, application_id=acme.application.id)
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert not CameraStream.objects.filter(is_active=True).exists()
    assert _status(client, is_active=False).status_code == 200  # off: always accepted


def test_camera_off_after_the_interview_ended_is_accepted(acme, token_client_for):
    client = token_client_for(acme.candidate)
    assert _status(client, is_active=True, application_id=acme.application.id).status_code == 200
    JobApplication.objects.filter(pk=acme.application.pk).update(status="completed")
    assert _status(client, is_active=False, application_id=acme.application.id).status_code == 200
    assert CameraStream.objects.get().is_active is False


def _second_application(acme, *, consent: bool):
    second = JobApplicationFactory(
        job=JobFactory(organization=acme.organization), candidate=acme.candidate
    )
    if consent:
        MonitoringConsentFactory(application=second)
    return second


@pytest.mark.parametrize(
    ("others", "attached"),
    [
        ("none", "the one"),  # exactly one interview may be recorded: the stream joins it
        ("two", None),  # two: the server cannot tell which, so admins only
        ("zero", None),  # none at all: presence only
    ],
)
def test_a_seed_client_without_application_id(acme, token_client_for, others, attached):
    if others == "two":
        _second_application(acme, consent=True)
    elif others == "zero":
        MonitoringConsent.objects.all().delete()
    client = token_client_for(acme.candidate)
    assert _status(client, is_active=True).status_code == 200  # the seed sends only this
    stream = CameraStream.objects.get(user=acme.candidate)
    expected = acme.application.id if attached else None
    assert stream.application_id == expected
    rita_sees = token_client_for(acme.recruiter).get("/api/camera/active-streams").json()
    assert [s["username"] for s in rita_sees] == (["john"] if attached else [])


def test_a_seed_client_ignores_interviews_without_consent(acme, token_client_for):
    _second_application(acme, consent=False)  # in progress, but not consented
    client = token_client_for(acme.candidate)
    assert _status(client, is_active=True).status_code == 200
    assert CameraStream.objects.get().application_id == acme.application.id
