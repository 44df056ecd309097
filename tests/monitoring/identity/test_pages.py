"""The identity pages (issue 32, point 2) as the server renders them: the notice and the
reference step's configuration, the console row, the printed report, the timeline's card
configuration and the board card's state."""

import json

import pytest

from accounts.models import Organization
from applications import notice
from cameras.models import CameraStream
from cameras.selectors import board_payload
from cameras.services import camera_stream_set_status
from monitoring.identity.selectors import identity_states

from .conftest import b64, photo

pytestmark = pytest.mark.django_db


def _config(response, name):
    html = response.content.decode()
    start = html.index(f'<script id="{name}" type="application/json">') + len(
        f'<script id="{name}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def _selfie(consented, token_client_for, capture, image=None):
    with capture(execute=True):
        response = token_client_for(consented.candidate).post(
            f"/api/applications/{consented.application.id}/identity/",
            {"kind": "selfie", "image_data": b64(image or photo("obama_2012"))},
            format="json",
        )
    assert response.status_code == 201, response.json()


def test_the_notice_names_the_face_template_its_purpose_and_retention(consented, client):
    Organization.objects.filter(pk=consented.organization.pk).update(
        identity_check="selfie_and_document", document_retention_days=14
    )
    assert notice.CURRENT == "2026-12-identity"
    client.force_login(consented.candidate)
    response = client.get(f"/interview/{consented.application.id}/")
    text = response.content.decode()
    assert "face template" in text and "biometric data" in text and "BIPA" in text
    assert "only 14 days after the interview" in text
    assert "virtual camera" in text
    config = _config(response, "panel-config")
    assert config["identity"]["check"] == "selfie_and_document"
    assert config["identity"]["selfie"] is False and config["identity"]["document"] is False
    assert config["identity"]["labels"]["take"] == "Take photo"


def test_without_an_identity_check_the_notice_says_no_template_is_made(consented, client):
    Organization.objects.filter(pk=consented.organization.pk).update(identity_check="off")
    client.force_login(consented.candidate)
    response = client.get(f"/interview/{consented.application.id}/")
    assert "no face template is ever made" in response.content.decode()
    assert "data-identity-step" not in response.content.decode()


def test_a_reload_asks_only_for_what_is_missing(
    consented, client, token_client_for, django_capture_on_commit_callbacks
):
    _selfie(consented, token_client_for, django_capture_on_commit_callbacks)
    client.force_login(consented.candidate)
    config = _config(client.get(f"/interview/{consented.application.id}/"), "panel-config")
    assert config["identity"]["selfie"] is True


def test_the_console_row_and_the_report_show_the_state(
    consented, client, token_client_for, django_capture_on_commit_callbacks
):
    client.force_login(consented.recruiter)
    console = client.get("/console/").content.decode()
    assert 'data-identity-state="unverified"' in console
    _selfie(consented, token_client_for, django_capture_on_commit_callbacks)
    console = client.get("/console/").content.decode()
    assert 'data-identity-state="verified"' in console and "Face matches" in console
    report = client.get(f"/console/applications/{consented.application.id}/report/")
    assert "data-report-identity" in report.content.decode()
    assert "Face matches" in report.content.decode()


def test_the_timeline_carries_the_identity_cards_configuration(consented, client):
    client.force_login(consented.recruiter)
    url = f"/console/applications/{consented.application.id}/"
    config = _config(client.get(url), "timeline-config")
    assert config["identity"]["check"] == "selfie"
    assert config["identity"]["states"]["mismatch"] == "Face mismatch"
    Organization.objects.filter(pk=consented.organization.pk).update(identity_check="off")
    response = client.get(url)
    assert _config(response, "timeline-config")["identity"] is None
    assert "data-identity-card" not in response.content.decode()


def test_the_board_card_shows_the_state_once_a_selfie_is_taken(
    consented, token_client_for, django_capture_on_commit_callbacks
):
    app = consented.application
    camera_stream_set_status(user=consented.candidate, is_active=True, application=app)
    stream = CameraStream.objects.get(user=consented.candidate)
    assert board_payload(stream=stream)["identity"] is None
    _selfie(consented, token_client_for, django_capture_on_commit_callbacks)
    stream.refresh_from_db()
    assert board_payload(stream=stream)["identity"] == {
        "state": "verified",
        "label": "Face matches",
    }


def test_states_of_many_interviews_agree_with_one_at_a_time(
    consented, token_client_for, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from monitoring.identity.selectors import identity_status

    _selfie(consented, token_client_for, django_capture_on_commit_callbacks)
    app = consented.application
    with django_assert_max_num_queries(4):
        states = identity_states(applications=[app])
    assert states[app.pk] == identity_status(application=app).state == "verified"
