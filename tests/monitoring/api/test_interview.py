"""Page events through the API: recorded only while the interview may be recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import JobApplication
from monitoring.models import MonitoringEvent
from tests.factories import MonitoringConsentFactory

pytestmark = pytest.mark.django_db


def test_page_events_are_recorded_and_listed(consented, token_client_for):
    url = f"/api/applications/{consented.application.id}/events/"
    when = timezone.now() - timedelta(seconds=5)
    response = token_client_for(consented.candidate).post(
        url, {"type": "tab_hidden", "occurred_at": when.isoformat(), "detail": "x"}, format="json"
    )
    assert response.status_code == 201
    listed = token_client_for(consented.recruiter).get(url).json()
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
def test_bad_events_are_refused(consented, token_client_for, payload, code):
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/events/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not MonitoringEvent.objects.exists()


def test_events_only_from_the_candidate(consented, globex, token_client_for):
    url = f"/api/applications/{consented.application.id}/events/"
    assert (
        token_client_for(consented.recruiter)
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


@pytest.mark.parametrize(
    ("status", "consent", "code"),
    [
        ("in_progress", False, "consent_required"),
        ("invited", True, "application_not_active"),
        ("completed", True, "application_not_active"),
        ("withdrawn", True, "application_not_active"),
    ],
)
def test_nothing_is_recorded_outside_the_interview(acme, token_client_for, status, consent, code):
    JobApplication.objects.filter(pk=acme.application.pk).update(status=status)
    if consent:
        MonitoringConsentFactory(application=acme.application)
    response = token_client_for(acme.candidate).post(
        f"/api/applications/{acme.application.id}/events/", {"type": "tab_hidden"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert not MonitoringEvent.objects.exists()
