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


@pytest.mark.unchecked
def test_the_first_visit_goes_to_the_system_check_then_the_interview_opens(acme, client):
    client.force_login(acme.candidate)
    first = client.get(f"/interview/{acme.application.id}/")
    assert (
        first.status_code == 302 and first["Location"] == f"/interview/{acme.application.id}/check/"
    )
    check = client.get(first["Location"])
    assert check.status_code == 200
    assert b'data-step="camera"' in check.content and b'data-step="screen"' in check.content
    # Seen once (run or not): the interview page opens from now on.
    assert client.get(f"/interview/{acme.application.id}/").status_code == 200


def test_a_candidate_who_ran_the_check_goes_straight_to_the_interview(acme, client):
    client.force_login(acme.candidate)
    assert client.get(f"/interview/{acme.application.id}/").status_code == 200


@pytest.mark.unchecked
def test_the_check_page_is_the_candidates_own(acme, globex, client):
    client.force_login(acme.candidate)
    assert client.get(f"/interview/{globex.application.id}/check/").status_code == 404
    client.force_login(acme.recruiter)
    assert client.get(f"/interview/{acme.application.id}/check/").status_code == 403


@pytest.mark.unchecked
def test_the_check_page_leaves_out_screen_sharing_when_the_job_does_not_ask(acme, client):
    acme.application.screen_monitoring = False
    acme.application.save()
    client.force_login(acme.candidate)
    page = client.get(f"/interview/{acme.application.id}/check/")
    assert b'data-step="screen"' not in page.content and b'data-step="upload"' in page.content


def test_the_reviewer_sees_the_candidates_check(acme, client):
    client.force_login(acme.recruiter)
    page = client.get(f"/console/applications/{acme.application.id}/").content.decode()
    assert 'data-system-check="passed"' in page
    assert "upload 1.2 Mbit/s" in page and "camera 640×480" in page


def test_the_privacy_page_says_the_candidate_is_told_and_what_the_check_keeps(acme, client):
    client.force_login(acme.candidate)
    page = client.get("/privacy/").content.decode()
    assert "your page says so in plain words" in page
    assert "Only its result is kept with your application" in page


def test_the_list_offers_the_download_once_consent_was_given_even_without_a_start(acme, client):
    """The withdrawn page links to "download your copy" on this list: it must be there."""
    from django.utils import timezone

    from tests.factories import MonitoringConsentFactory

    MonitoringConsentFactory(application=acme.application, withdrawn_at=timezone.now())
    assert acme.application.started_at is None
    client.force_login(acme.candidate)
    assert b"Download my data" in client.get("/interview/").content
