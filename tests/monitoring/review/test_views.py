"""The review console: role access, scoping, empty state, counts, filters, sorting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import JobApplication
from cameras.services import camera_stream_set_status
from monitoring.integrity.services import integrity_rebuild
from tests.factories import (
    CandidateFactory,
    JobApplicationFactory,
    JobFactory,
    MonitoringConsentFactory,
    MonitoringEventFactory,
    MonitoringImageFactory,
    RecruiterFactory,
)

pytestmark = pytest.mark.django_db


def test_candidate_is_refused_from_console(acme, client):
    client.force_login(acme.candidate)
    response = client.get("/console/")
    assert response.status_code == 403
    assert b"review console is for recruiters" in response.content


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_console_lists_only_own_organization(acme, globex, client):
    client.force_login(acme.recruiter)
    response = client.get("/console/")
    assert response.status_code == 200
    assert b"@john" in response.content
    assert b"@mary" not in response.content


def test_admin_console_lists_everything(acme, globex, admin_user, client):
    client.force_login(admin_user)
    response = client.get("/console/")
    assert b"@john" in response.content and b"@mary" in response.content


def test_console_search_and_status_filter(acme, client):
    JobApplicationFactory(
        job=acme.job,
        candidate=CandidateFactory(username="zed"),
        status=JobApplication.Status.COMPLETED,
    )
    client.force_login(acme.recruiter)
    searched = client.get("/console/?q=john").content
    assert b"@john" in searched and b"@zed" not in searched
    filtered = client.get("/console/?status=completed").content
    assert b"@zed" in filtered and b"@john" not in filtered


def test_console_empty_state(db, client):
    client.force_login(RecruiterFactory(username="newbie"))
    assert b"No applications yet" in client.get("/console/").content


def test_console_paginates(acme, client):
    for i in range(25):
        JobApplicationFactory(job=acme.job, candidate=CandidateFactory(username=f"c{i:02d}"))
    client.force_login(acme.recruiter)
    first = client.get("/console/").content
    assert b"Page 1 of 2" in first
    assert b"Page 2 of 2" in client.get("/console/?page=2").content


def test_console_shows_counts_presence_and_live_filter(acme, globex, client, settings):
    JobApplicationFactory(job=acme.job, candidate=CandidateFactory(username="zed"))
    for kind in ["camera", "camera", "screen"]:
        MonitoringImageFactory(application=acme.application, image_type=kind)
    MonitoringEventFactory(application=acme.application)
    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    client.force_login(acme.recruiter)
    page = client.get("/console/").content.decode()
    assert "2 camera · 1 screen" in page
    assert "LIVE" in page and "Never on" in page
    live = client.get("/console/?live=1").content.decode()
    assert "@john" in live and "@zed" not in live


def _hidden_for(application, minutes: int) -> None:
    """A tab hidden for `minutes` (4 points a minute), stored through the rebuild."""
    start = timezone.now() - timedelta(minutes=30)
    application.started_at = start
    application.save()
    MonitoringEventFactory(application=application, type="tab_hidden", occurred_at=start)
    end = start + timedelta(minutes=minutes)
    MonitoringEventFactory(application=application, type="tab_visible", occurred_at=end)
    integrity_rebuild(application_id=application.id)


def test_console_sorts_by_integrity_score(acme, client):
    low = JobApplicationFactory(job=acme.job, candidate=CandidateFactory(username="lowscore"))
    _hidden_for(low, 10)  # 100 - 40
    _hidden_for(acme.application, 1)  # 100 - 4
    client.force_login(acme.recruiter)
    ascending = client.get("/console/?sort=score").content.decode()
    assert ascending.index("@lowscore") < ascending.index("@john")
    descending = client.get("/console/?sort=-score").content.decode()
    assert descending.index("@john") < descending.index("@lowscore")
    assert ">96<" in descending and ">60<" in descending


def _cells(html: str) -> dict[str, str]:
    """The text of each data-cell (score, camera, captures, events) in a page."""
    import re

    cells = {}
    for name, body in re.findall(r'data-cell="(\w+)"[^>]*>(.*?)</(?:td|span)>\s', html, re.S):
        text = re.sub(r"<[^>]+>", "", body)
        cells.setdefault(name, " ".join(text.split()))
    return cells


def test_console_and_timeline_show_the_same_numbers(acme, client, token_client_for):
    """One truth per number: score, captures, events and camera state agree on both pages,
    even after the candidate's stream moved to their other application."""
    app = acme.application
    _hidden_for(app, 3)  # score 88
    for kind in ["camera", "camera", "screen"]:
        MonitoringImageFactory(application=app, image_type=kind)
    MonitoringImageFactory(application=app, uploaded_by=acme.recruiter)
    MonitoringConsentFactory(application=app)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=app)
    other = JobApplicationFactory(
        job=JobFactory(organization=acme.organization), candidate=acme.candidate
    )
    MonitoringConsentFactory(application=other)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=other)

    client.force_login(acme.recruiter)
    console = client.get("/console/").content.decode()
    row = console[console.index(f'href="/console/applications/{app.id}/"') :]
    listed = _cells(row)
    timeline = _cells(client.get(f"/console/applications/{app.id}/").content.decode())
    api = token_client_for(acme.recruiter).get(f"/api/applications/{app.id}/integrity/").json()

    assert listed["score"] == str(api["score"]) == "88"
    assert listed["captures"] == timeline["captures"] == "3 camera · 1 screen"
    assert listed["events"] == "4" and timeline["events"] == "4 events"  # 2 page, camera on + off
    assert listed["camera"] == timeline["camera"]
    assert listed["camera"].startswith("Last seen")  # not "Never on": it was on for this one
