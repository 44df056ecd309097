"""Camera presence through the API: own stream only, every role pair, bad payloads, CSRF."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import CameraEvent, CameraStream
from monitoring.models import InterviewRules

pytestmark = pytest.mark.django_db

STATUS = "/api/camera/status"
ACTIVE = "/api/camera/active-streams"


def _on(client, **extra):
    return client.post(STATUS, {"is_active": True, **extra}, format="json")


def test_turning_camera_on_and_off_records_stream_and_history(acme, token_client_for):
    client = token_client_for(acme.candidate)
    response = _on(client, application_id=acme.application.id)
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == acme.candidate.id
    assert body["is_active"] is True
    assert body["last_updated"].endswith("Z")
    stream = CameraStream.objects.get(user=acme.candidate)
    assert stream.is_active and stream.application_id == acme.application.id

    response = client.post(STATUS, {"is_active": False}, format="json")
    assert response.status_code == 200
    stream.refresh_from_db()
    assert stream.is_active is False
    kinds = list(CameraEvent.objects.values_list("kind", flat=True))
    assert kinds == ["on", "off"]


def test_the_first_camera_on_of_an_interview_costs_at_most_19_queries(acme, token_client_for):
    """Issue 40: 300 cameras coming on in ten seconds is the web tier's busiest moment. The
    first camera-on of an interview opened in progress stamps its start, freezes its rules and
    looks for webhook endpoints besides the stream and its event: 21 queries before the rules'
    organization and the endpoints were each read in one."""
    client = token_client_for(acme.candidate)
    with CaptureQueriesContext(connection) as queries:
        response = _on(client, application_id=acme.application.id)
    assert response.status_code == 200, response.content
    assert len(queries) <= 19, "\n".join(q["sql"][:120] for q in queries)
    acme.application.refresh_from_db()
    assert acme.application.started_at is not None
    assert InterviewRules.objects.filter(application=acme.application).exists()


@pytest.mark.parametrize("path", [STATUS, STATUS + "/"])
def test_status_path_answers_with_and_without_slash(acme, token_client_for, path):
    response = token_client_for(acme.candidate).post(path, {"is_active": True}, format="json")
    assert response.status_code == 200


def test_forged_user_id_is_refused_and_changes_nothing(acme, globex, token_client_for):
    response = _on(token_client_for(acme.candidate), user_id=globex.candidate.id)
    assert response.status_code == 403
    assert response.json()["code"] == "not_own_stream"
    assert not CameraStream.objects.exists()


def test_own_user_id_in_body_is_accepted(acme, token_client_for):
    assert _on(token_client_for(acme.candidate), user_id=acme.candidate.id).status_code == 200


@pytest.mark.parametrize("value", ["true", 1, "yes", None, "on"])
def test_non_boolean_is_active_is_400(acme, token_client_for, value):
    response = token_client_for(acme.candidate).post(STATUS, {"is_active": value}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["message"].startswith("is_active:")
    assert not CameraStream.objects.exists()


def test_missing_is_active_is_400(acme, token_client_for):
    response = token_client_for(acme.candidate).post(STATUS, {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "required"


def test_other_candidates_application_is_404(acme, globex, token_client_for):
    response = _on(token_client_for(acme.candidate), application_id=globex.application.id)
    assert response.status_code == 404
    assert not CameraStream.objects.exists()


def test_recruiter_cannot_attach_stream_to_candidate_application(acme, token_client_for):
    response = _on(token_client_for(acme.recruiter), application_id=acme.application.id)
    assert response.status_code == 403
    assert response.json()["code"] == "not_own_application"


def test_anonymous_status_is_401(api_client, db):
    response = api_client.post(STATUS, {"is_active": True}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_status_requires_csrf(acme, client_for):
    refused = client_for(acme.candidate, with_csrf_header=False).post(
        STATUS, {"is_active": True}, format="json"
    )
    assert refused.status_code == 403
    assert not CameraStream.objects.exists()
    accepted = client_for(acme.candidate).post(STATUS, {"is_active": True}, format="json")
    assert accepted.status_code == 200


def _live_usernames(response) -> set[str]:
    return {row["username"] for row in response.json()}


@pytest.fixture
def both_live(acme, globex, token_client_for, admin_user):
    _on(token_client_for(acme.candidate), application_id=acme.application.id)
    _on(token_client_for(globex.candidate), application_id=globex.application.id)
    _on(token_client_for(admin_user))  # a stream without an application


@pytest.mark.parametrize("path", [ACTIVE, ACTIVE + "/"])
def test_recruiter_sees_own_organization_streams(acme, globex, both_live, token_client_for, path):
    response = token_client_for(acme.recruiter).get(path)
    assert response.status_code == 200
    assert _live_usernames(response) == {"john"}
    row = response.json()[0]
    assert set(row) == {
        "user_id",
        "name",
        "username",
        "is_active",
        "last_updated",
        "started_at",
        "application_id",
    }
    assert row["name"] == "John Carter"
    assert row["application_id"] == acme.application.id
    assert _live_usernames(token_client_for(globex.recruiter).get(ACTIVE)) == {"mary"}


def test_admin_sees_all_streams_including_those_without_application(
    both_live, admin_user, token_client_for
):
    assert _live_usernames(token_client_for(admin_user).get(ACTIVE)) == {"john", "mary", "admin"}


def test_candidate_cannot_list_active_streams(acme, both_live, token_client_for):
    response = token_client_for(acme.candidate).get(ACTIVE)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_active_streams_is_401(api_client, db):
    assert api_client.get(ACTIVE).status_code == 401


def test_stale_stream_is_not_listed_even_without_sweep(acme, token_client_for, settings):
    _on(token_client_for(acme.candidate), application_id=acme.application.id)
    CameraStream.objects.update(
        last_updated=timezone.now() - timedelta(seconds=settings.CAMERA_STREAM_TIMEOUT + 1)
    )
    assert token_client_for(acme.recruiter).get(ACTIVE).json() == []
    assert CameraStream.objects.get().is_active is True  # nobody swept it


def test_camera_history_is_listed_per_application(acme, globex, token_client_for):
    client = token_client_for(acme.candidate)
    _on(client, application_id=acme.application.id)
    client.post(STATUS, {"is_active": False}, format="json")
    url = f"/api/applications/{acme.application.id}/camera-events/"
    rows = token_client_for(acme.recruiter).get(url).json()
    assert [r["kind"] for r in rows] == ["on", "off"]
    assert token_client_for(globex.recruiter).get(url).status_code == 404
