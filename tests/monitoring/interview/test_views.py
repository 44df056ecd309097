"""The candidate's pages: the interview list and panel, role access and scoping."""

import pytest

from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_candidate_sees_own_interviews(acme, globex, client):
    client.force_login(acme.candidate)
    response = client.get("/interview/")
    assert response.status_code == 200
    assert acme.job.title.encode() in response.content
    assert globex.job.title.encode() not in response.content
    assert f'href="/interview/{acme.application.id}/"'.encode() in response.content


def test_candidate_without_applications_sees_empty_state(db, client):
    client.force_login(CandidateFactory(username="lonely"))
    response = client.get("/interview/")
    assert b"No interviews yet" in response.content


def test_candidate_cannot_open_other_interview(acme, globex, client):
    client.force_login(acme.candidate)
    assert client.get(f"/interview/{globex.application.id}/").status_code == 404
    assert client.get(f"/interview/{acme.application.id}/").status_code == 200


def test_recruiter_is_refused_from_interview_pages(acme, client):
    client.force_login(acme.recruiter)
    assert client.get("/interview/").status_code == 403
