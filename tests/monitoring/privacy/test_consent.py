"""The candidate's "no": a decline when no consent was given, a withdrawal when it was; both
recorded with the notice version shown, kept in the consent history, audited; after a
withdrawal nothing is recorded (uploads, camera, events: 409)."""

import pytest

from applications.models import MonitoringConsent
from applications.notice import CURRENT as NOTICE
from cameras.models import CameraStream
from monitoring.models import AccessEvent
from tests.monitoring.conftest import b64, image_bytes

pytestmark = pytest.mark.django_db


def _url(application) -> str:
    return f"/api/applications/{application.pk}/consent/"


def test_declining_is_recorded_once_per_notice(acme, token_client_for):
    client = token_client_for(acme.candidate)
    first = client.post(_url(acme.application), {"accepted": False}, format="json")
    again = client.post(_url(acme.application), {"accepted": False}, format="json")
    assert first.status_code == again.status_code == 200
    body = again.json()
    assert body["accepted"] is False and body["state"] == "declined"
    assert body["declined_at"] and body["notice_version"] == NOTICE
    assert [m["decision"] for m in body["history"]] == ["declined"]
    assert MonitoringConsent.objects.count() == 1
    assert AccessEvent.objects.filter(action=AccessEvent.Action.CONSENT_DECLINED).count() == 1


def test_a_decline_can_be_followed_by_consent(acme, token_client_for):
    client = token_client_for(acme.candidate)
    client.post(_url(acme.application), {"accepted": False}, format="json")
    given = client.post(_url(acme.application), {"accepted": True}, format="json")
    assert given.status_code == 201
    assert given.json()["state"] == "active"
    assert [m["decision"] for m in given.json()["history"]] == ["declined", "given"]


def test_withdrawing_stops_recording(acme, token_client_for):
    client = token_client_for(acme.candidate)
    app = acme.application
    client.post(_url(app), {"accepted": True}, format="json")
    assert (
        client.post(
            "/api/camera/status", {"is_active": True, "application_id": app.pk}, format="json"
        ).status_code
        == 200
    )

    withdrawn = client.post(_url(app), {"accepted": False}, format="json").json()
    assert withdrawn["state"] == "withdrawn" and withdrawn["withdrawn_at"]
    assert [m["decision"] for m in withdrawn["history"]] == ["given", "withdrawn"]
    assert not CameraStream.objects.get(user=acme.candidate).is_active  # the server ended it

    upload = client.post(
        f"/api/applications/{app.pk}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(image_bytes())},
        format="json",
    )
    camera = client.post(
        "/api/camera/status", {"is_active": True, "application_id": app.pk}, format="json"
    )
    event = client.post(
        f"/api/applications/{app.pk}/events/",
        {"type": "tab_hidden", "occurred_at": "2026-11-23T10:00:00Z"},
        format="json",
    )
    assert [r.status_code for r in (upload, camera, event)] == [409, 409, 409]
    assert {r.json()["code"] for r in (upload, camera, event)} == {"consent_required"}


def test_reviewers_see_the_history_but_cannot_answer(acme, globex, token_client_for):
    token_client_for(acme.candidate).post(
        _url(acme.application), {"accepted": False}, format="json"
    )
    seen = token_client_for(acme.recruiter).get(_url(acme.application))
    assert seen.json()["history"][0]["decision"] == "declined"
    refused = token_client_for(acme.recruiter).post(
        _url(acme.application), {"accepted": False}, format="json"
    )
    assert refused.status_code == 403
    assert token_client_for(globex.recruiter).get(_url(acme.application)).status_code == 404
