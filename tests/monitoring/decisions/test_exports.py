"""Verdicts, notes and decisions in what leaves the timeline (issue 33, point 4): the CSV, the
candidate's zip, the console row; and the record of an erased interview holds none of them."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Decision
from common.http import RequestInfo
from monitoring.models import IncidentVerdict, ReviewNote
from monitoring.privacy.services import application_erase
from tests.factories import IntegrityEventFactory, MonitoringImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(acme, token_client_for):
    """A finished interview with a dismissed incident, two notes and a final decision, all
    made through the API."""
    app = acme.application
    app.status, app.completed_at = "completed", timezone.now()
    app.started_at = timezone.now() - timedelta(minutes=30)
    app.save()
    start = timezone.now() - timedelta(minutes=20)
    incident = IntegrityEventFactory(
        application=app, started_at=start, ended_at=start + timedelta(seconds=60)
    )
    image = MonitoringImageFactory(application=app, captured_at=start)
    rita = token_client_for(acme.recruiter)
    api = f"/api/applications/{app.id}"
    rita.post(
        f"{api}/incidents/{incident.pk}/verdict/",
        {"verdict": "dismissed", "note": "Glasses glare"},
        format="json",
    )
    rita.post(f"{api}/notes/", {"image_id": image.pk, "text": "Calm, reading"}, format="json")
    rita.post(
        f"{api}/notes/",
        {"at": (start + timedelta(minutes=3)).isoformat(), "text": "Left"},
        format="json",
    )
    rita.post(f"{api}/decision/", {"outcome": "cleared", "reason": "False alarm"}, format="json")
    acme.incident, acme.image, acme.rita = incident, image, rita
    return acme


def test_the_csv_carries_verdicts_notes_and_the_decision(decided):
    app = decided.application
    response = decided.rita.get(f"/api/applications/{app.id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    [incident] = [r for r in rows if r["record"] == "incident"]
    assert incident["verdict"] == "dismissed" and incident["verdict_note"] == "Glasses glare"
    assert incident["verdict_by"] == "Rita Reyes"
    notes = [r for r in rows if r["record"] == "note"]
    assert [(n["reason"], n["added_by"]) for n in notes] == [
        ("Calm, reading", "Rita Reyes"),
        ("Left", "Rita Reyes"),
    ]
    assert notes[0]["type"] == f"image {decided.image.pk}"
    [decision] = [r for r in rows if r["record"] == "decision"]
    assert decision["type"] == "cleared" and decision["reason"] == "False alarm"
    assert decision["flags"] == "final" and decision["added_by"] == "Rita Reyes"


def test_the_zip_carries_verdicts_notes_and_decisions(decided, client_for, s3):
    app = decided.application
    response = client_for(decided.candidate).get(f"/api/applications/{app.id}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    record = json.loads(archive.read("decisions.json"))
    assert [(v["verdict"], v["note"], v["by"]) for v in record["verdicts"]] == [
        ("dismissed", "Glasses glare", "Rita Reyes")
    ]
    assert [n["text"] for n in record["notes"]] == ["Calm, reading", "Left"]
    assert [(d["outcome"], d["state"]) for d in record["decisions"]] == [("cleared", "final")]
    integrity = json.loads(archive.read("integrity.json"))
    assert integrity["reviewed_score"] > integrity["score"]
    assert integrity["incidents"][0]["verdict"] == "dismissed"


def test_the_console_row_shows_the_decision(decided, client):
    client.force_login(decided.recruiter)
    html = client.get("/console/").content.decode()
    assert 'data-decision-state="final"' in html and "Cleared · final" in html


def test_the_report_shows_verdicts_notes_and_the_decision(decided, client):
    client.force_login(decided.recruiter)
    html = client.get(f"/console/applications/{decided.application.pk}/report/").content.decode()
    assert 'data-verdict="dismissed"' in html and "Glasses glare" in html
    assert "Calm, reading" in html and "(on a capture)" in html
    assert 'data-outcome="cleared" data-state="final"' in html and "False alarm" in html


def test_an_erasure_removes_verdicts_notes_and_decisions(decided):
    app = decided.application
    application_erase(actor=decided.recruiter, application=app, info=RequestInfo())
    assert not IncidentVerdict.objects.exists()
    assert not ReviewNote.objects.exists()
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/monitoring/incidentverdict/",
        "/admin/monitoring/reviewnote/",
        "/admin/applications/decision/",
        "/admin/applications/candidateresponse/",
    ],
)
def test_the_admin_lists_verdicts_notes_and_decisions_read_only(decided, admin_user, client, path):
    client.force_login(admin_user)
    page = client.get(path)
    assert page.status_code == 200
    assert client.get(f"{path}add/").status_code == 403
