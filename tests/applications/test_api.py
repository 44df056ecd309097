"""Applications and jobs through the API: role scoping for every role pair, writes, errors."""

import pytest

from applications.models import Invitation, JobApplication
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_candidate_lists_only_own_application(acme, globex, token_client_for):
    response = token_client_for(acme.candidate).get("/api/applications/")
    assert response.status_code == 200
    assert _ids(response) == {acme.application.id}


def test_recruiter_lists_only_own_organization(acme, globex, token_client_for):
    response = token_client_for(acme.recruiter).get("/api/applications/")
    assert _ids(response) == {acme.application.id}
    response = token_client_for(globex.recruiter).get("/api/applications/")
    assert _ids(response) == {globex.application.id}


def test_admin_lists_all_applications(acme, globex, admin_user, token_client_for):
    response = token_client_for(admin_user).get("/api/applications/")
    assert _ids(response) == {acme.application.id, globex.application.id}


def test_listing_is_paginated(acme, token_client_for):
    response = token_client_for(acme.recruiter).get("/api/applications/")
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1


@pytest.mark.parametrize(
    ("who", "whose", "expected"),
    [
        ("candidate", "acme", 200),
        ("candidate", "globex", 404),
        ("recruiter", "acme", 200),
        ("recruiter", "globex", 404),
        ("admin", "acme", 200),
        ("admin", "globex", 200),
    ],
)
def test_application_detail_scoping(
    acme, globex, admin_user, token_client_for, who, whose, expected
):
    actor = {"candidate": acme.candidate, "recruiter": acme.recruiter, "admin": admin_user}[who]
    target = {"acme": acme, "globex": globex}[whose].application
    response = token_client_for(actor).get(f"/api/applications/{target.id}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json() == {
            "success": False,
            "message": "Application not found.",
            "code": "application_not_found",
        }
    else:
        assert response.json()["candidate"]["username"] == target.candidate.username


def test_other_candidate_cannot_see_application(acme, globex, token_client_for):
    response = token_client_for(globex.candidate).get(f"/api/applications/{acme.application.id}/")
    assert response.status_code == 404


def test_recruiter_updates_monitoring_settings(acme, token_client_for):
    response = token_client_for(acme.recruiter).patch(
        f"/api/applications/{acme.application.id}/",
        {"camera_interval": 10, "screen_monitoring": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
    acme.application.refresh_from_db()
    assert acme.application.camera_interval == 10
    assert acme.application.screen_monitoring is False


@pytest.mark.parametrize("interval", [1, 3601, "soon"])
def test_interval_out_of_range_is_refused(acme, token_client_for, interval):
    response = token_client_for(acme.recruiter).patch(
        f"/api/applications/{acme.application.id}/", {"camera_interval": interval}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["message"].startswith("camera_interval:")
    acme.application.refresh_from_db()
    assert acme.application.camera_interval == 30


def test_recruiter_cannot_update_other_organization(acme, globex, token_client_for):
    response = token_client_for(acme.recruiter).patch(
        f"/api/applications/{globex.application.id}/", {"camera_interval": 10}, format="json"
    )
    assert response.status_code == 404
    globex.application.refresh_from_db()
    assert globex.application.camera_interval == 30


def test_candidate_cannot_update_own_application(acme, token_client_for):
    response = token_client_for(acme.candidate).patch(
        f"/api/applications/{acme.application.id}/", {"status": "completed"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    acme.application.refresh_from_db()
    assert acme.application.status == JobApplication.Status.IN_PROGRESS


def test_recruiter_creates_application_for_existing_candidate(acme, globex, token_client_for):
    job = JobFactory(organization=acme.organization, title="Second role")
    response = token_client_for(acme.recruiter).post(
        "/api/applications/",
        {"job_id": job.id, "candidate_email": globex.candidate.email, "camera_interval": 5},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["candidate"]["username"] == "mary"
    assert body["camera_interval"] == 5
    assert body["status"] == "invited"
    assert not Invitation.objects.exists()


def test_creating_the_same_application_twice_conflicts(acme, token_client_for):
    response = token_client_for(acme.recruiter).post(
        "/api/applications/",
        {"job_id": acme.job.id, "candidate_email": acme.candidate.email},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "application_exists"
    assert JobApplication.objects.count() == 1


def test_recruiter_cannot_create_application_on_other_organization_job(
    acme, globex, token_client_for
):
    response = token_client_for(acme.recruiter).post(
        "/api/applications/",
        {"job_id": globex.job.id, "candidate_email": "new@example.com"},
        format="json",
    )
    assert response.status_code == 404
    assert JobApplication.objects.count() == 2


def test_candidate_cannot_create_applications(acme, token_client_for):
    response = token_client_for(acme.candidate).post(
        "/api/applications/",
        {"job_id": acme.job.id, "candidate_email": "x@example.com"},
        format="json",
    )
    assert response.status_code == 403


def test_application_for_recruiter_email_is_refused(acme, token_client_for):
    response = token_client_for(acme.recruiter).post(
        "/api/applications/",
        {"job_id": acme.job.id, "candidate_email": acme.recruiter.email},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "cannot_invite"
    assert "recruiter" not in response.json()["message"]  # nothing said of the account


def test_recruiter_creates_job_in_own_organization(acme, globex, token_client_for):
    response = token_client_for(acme.recruiter).post(
        "/api/jobs/",
        {"title": "SRE", "organization_id": globex.organization.id},
        format="json",
    )
    assert response.status_code == 404  # not their organization
    response = token_client_for(acme.recruiter).post("/api/jobs/", {"title": "SRE"}, format="json")
    assert response.status_code == 201
    assert response.json()["organization"]["slug"] == "acme"


def test_admin_must_name_organization_for_job(acme, admin_user, token_client_for):
    client = token_client_for(admin_user)
    response = client.post("/api/jobs/", {"title": "SRE"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "required"
    response = client.post(
        "/api/jobs/", {"title": "SRE", "organization_id": acme.organization.id}, format="json"
    )
    assert response.status_code == 201


def test_job_scoping(acme, globex, token_client_for):
    assert token_client_for(acme.recruiter).get(f"/api/jobs/{globex.job.id}/").status_code == 404
    assert token_client_for(acme.candidate).get(f"/api/jobs/{acme.job.id}/").status_code == 200
    assert token_client_for(acme.candidate).get(f"/api/jobs/{globex.job.id}/").status_code == 404
    response = token_client_for(acme.recruiter).patch(
        f"/api/jobs/{acme.job.id}/", {"is_open": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_open"] is False
