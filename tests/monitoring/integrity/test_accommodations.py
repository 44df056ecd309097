"""Accommodations (issue 34, point 4): a reviewer turns named checks off before the interview
starts; they make no incidents; the report, the timeline, the CSV and the candidate's zip say
which were off, why and by whom; locked once recording begins; audited."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import CHECKS
from monitoring.integrity.services import integrity_frame_changed, integrity_rebuild
from monitoring.models import AccessEvent, IncidentType
from tests.factories import (
    FrameAnalysisFactory,
    JobApplicationFactory,
    MonitoringEventFactory,
    MonitoringImageFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Low vision: leans away from the camera to read the screen magnifier"


def _patch(client, app, body):
    return client.patch(f"/api/applications/{app.id}/", body, format="json")


def _record_no_face_and_a_hidden_tab(app):
    """A minute without a face in view (3 frames) and the tab hidden for 30 s."""
    base = timezone.now() - timedelta(minutes=6)
    for i in range(3):
        image = MonitoringImageFactory(
            application=app, captured_at=base + timedelta(seconds=20 * i)
        )
        FrameAnalysisFactory(image=image, face_count=0, no_face=True)
        integrity_frame_changed(image_id=image.id)
    MonitoringEventFactory(application=app, type="tab_hidden", occurred_at=base)
    MonitoringEventFactory(
        application=app, type="tab_visible", occurred_at=base + timedelta(seconds=30)
    )


def _start(app):
    app.refresh_from_db()  # what the API wrote
    app.status, app.started_at = "in_progress", timezone.now() - timedelta(minutes=10)
    app.camera_monitoring = False  # no snapshot gaps in this test
    app.save()


def test_the_checks_a_reviewer_may_turn_off_are_the_incident_types():
    assert set(CHECKS) == set(IncidentType.values)


def test_checks_turned_off_make_no_incidents_and_are_audited(acme, token_client_for):
    rita = token_client_for(acme.recruiter)
    app = acme.application
    answer = _patch(rita, app, {"checks_off": ["no_face", "no_face"], "checks_off_reason": REASON})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["checks_off"] == ["no_face"] and body["checks_off_reason"] == REASON
    assert body["checks_off_by"]["name"] == "Rita Reyes" and body["checks_off_at"]
    entry = AccessEvent.objects.get(action=AccessEvent.Action.SETTINGS_CHANGED)
    assert "checks_off [] → ['no_face']" in entry.detail and entry.actor == acme.recruiter

    _start(app)
    other = JobApplicationFactory(job=app.job)  # the same job, no accommodation
    _start(other)
    for interview in (app, other):
        _record_no_face_and_a_hidden_tab(interview)
    assert [i.type for i in integrity_rebuild(application_id=app.pk)["incidents"]] == ["tab_hidden"]
    assert sorted(i.type for i in integrity_rebuild(application_id=other.pk)["incidents"]) == [
        "no_face",
        "tab_hidden",
    ]
    assert not app.integrity_events.filter(type="no_face").exists()  # none stored either


def test_checks_off_need_a_reason_and_known_names(acme, token_client_for):
    rita = token_client_for(acme.recruiter)
    app = acme.application
    no_reason = _patch(rita, app, {"checks_off": ["no_face"]})
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "reason_required"
    unknown = _patch(rita, app, {"checks_off": ["typing_speed"], "checks_off_reason": "x"})
    assert unknown.status_code == 400 and unknown.json()["success"] is False
    app.refresh_from_db()
    assert app.checks_off == [] and app.checks_off_reason == ""
    # Turning them all back on clears the reason and who did it.
    _patch(rita, app, {"checks_off": ["tab_hidden"], "checks_off_reason": REASON})
    cleared = _patch(rita, app, {"checks_off": []}).json()
    assert (cleared["checks_off"], cleared["checks_off_reason"], cleared["checks_off_by"]) == (
        [],
        "",
        None,
    )


def test_checks_are_locked_once_recording_begins_and_candidates_may_not(acme, token_client_for):
    app = acme.application
    candidate = _patch(
        token_client_for(acme.candidate), app, {"checks_off": ["no_face"], "checks_off_reason": "x"}
    )
    assert candidate.status_code == 403
    _start(app)
    locked = _patch(
        token_client_for(acme.recruiter), app, {"checks_off": ["no_face"], "checks_off_reason": "x"}
    )
    assert locked.status_code == 409 and locked.json()["code"] == "settings_locked"
    app.refresh_from_db()
    assert app.checks_off == []


def test_the_report_timeline_csv_and_zip_say_which_checks_were_off(
    acme, token_client_for, client_for, s3
):
    app = acme.application
    _patch(
        token_client_for(acme.recruiter),
        app,
        {"checks_off": ["no_face", "tab_hidden"], "checks_off_reason": REASON},
    )
    _start(app)
    _record_no_face_and_a_hidden_tab(app)
    integrity_rebuild(application_id=app.pk)
    rita = client_for(acme.recruiter)
    report = rita.get(f"/console/applications/{app.id}/report/").content.decode()
    assert "data-report-checks-off" in report
    assert "No face visible, Interview tab hidden" in report and REASON in report
    assert "Rita Reyes" in report
    timeline = rita.get(f"/console/applications/{app.id}/").content.decode()
    assert "data-checks-off" in timeline and REASON in timeline

    rows = list(
        csv.DictReader(
            io.StringIO(rita.get(f"/api/applications/{app.id}/export.csv").content.decode())
        )
    )
    [row] = [r for r in rows if r["record"] == "accommodation"]
    assert (row["flags"], row["reason"], row["added_by"]) == (
        "no_face tab_hidden",
        REASON,
        "Rita Reyes",
    )
    assert not [r for r in rows if r["record"] == "incident"]

    response = client_for(acme.candidate).get(f"/api/applications/{app.id}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    record = json.loads(archive.read("decisions.json"))
    assert record["checks_off"]["checks"] == ["no_face", "tab_hidden"]
    assert (record["checks_off"]["reason"], record["checks_off"]["by"]) == (REASON, "Rita Reyes")


def test_the_timeline_form_sets_them_before_the_start_and_says_why_not(acme, client_for):
    app = acme.application
    rita = client_for(acme.recruiter)
    page = rita.get(f"/console/applications/{app.id}/").content.decode()
    assert "data-accommodations" in page and 'value="no_face"' in page
    url = f"/console/applications/{app.id}/accommodations/"
    refused = rita.post(url, {"checks_off": ["no_face"]})
    assert "accommodation_error=" in refused["Location"]
    shown = rita.get(refused["Location"]).content.decode()
    assert "Say why the checks are off" in shown
    rita.post(url, {"checks_off": ["no_face", "bogus"], "checks_off_reason": REASON})
    app.refresh_from_db()
    assert (app.checks_off, app.checks_off_by) == (["no_face"], acme.recruiter)
    _start(app)
    assert (
        "data-accommodations" not in rita.get(f"/console/applications/{app.id}/").content.decode()
    )
    locked = rita.post(url, {"checks_off": [], "checks_off_reason": ""})
    assert "locked" in rita.get(locked["Location"]).content.decode()
    app.refresh_from_db()
    assert app.checks_off == ["no_face"]
    assert client_for(acme.candidate).post(url, {"checks_off": []}).status_code == 403
