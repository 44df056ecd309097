"""Integrity through the database: every source, gaps, weights, the API and the CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.integrity.selectors import integrity_compute
from monitoring.integrity.services import integrity_frame_changed, integrity_rebuild
from monitoring.models import IntegrityRules
from tests.factories import (
    CameraEventFactory,
    FrameAnalysisFactory,
    MonitoringEventFactory,
    MonitoringImageFactory,
)


def _image(app, at, flags=None):
    image = MonitoringImageFactory(application=app, captured_at=at)
    if flags is not None:
        FrameAnalysisFactory(
            image=image, face_count=0 if "no_face" in flags else 1, **dict.fromkeys(flags, True)
        )
        integrity_frame_changed(image_id=image.id)  # what the analysis task does next
    return image


@pytest.fixture
def started(acme):
    app = acme.application
    app.started_at = timezone.now() - timedelta(minutes=10)
    app.camera_monitoring = False  # gaps are tested on their own
    app.save()
    return acme


@pytest.mark.django_db
def test_every_source_becomes_an_incident(started):
    app, now = started.application, timezone.now()
    base = now - timedelta(minutes=8)
    for i in range(3):
        _image(app, base + timedelta(seconds=10 * i), ["no_face"])
    for kind, seconds in (
        ("tab_hidden", 0),
        ("tab_visible", 30),
        ("window_blur", 40),
        ("window_focus", 70),
        ("screen_share_stopped", 100),
        ("screen_share_started", 160),
    ):
        MonitoringEventFactory(
            application=app, type=kind, occurred_at=base + timedelta(seconds=seconds)
        )
    user = started.candidate
    for kind, seconds in (("on", -5), ("off", 200), ("on", 260)):
        CameraEventFactory(
            user=user, application=app, kind=kind, occurred_at=base + timedelta(seconds=seconds)
        )
    result = integrity_rebuild(application_id=app.id, now=now)
    kinds = sorted(i.type for i in result["incidents"])
    assert kinds == ["camera_off", "no_face", "screen_share_stopped", "tab_hidden", "window_blur"]
    assert result["score"] < 100
    assert app.integrity_events.count() == 5
    assert app.integrity.score == result["score"]


@pytest.mark.django_db
def test_snapshot_gap_of_a_live_camera(started):
    app, now = started.application, timezone.now()
    app.camera_monitoring, app.camera_interval = True, 10
    app.save()
    CameraEventFactory(application=app, kind="on", occurred_at=now - timedelta(seconds=90))
    _image(app, now - timedelta(seconds=85), [])
    result = integrity_compute(application=app, now=now)
    (gap,) = [i for i in result["incidents"] if i.type == "snapshot_gap"]
    assert gap.ongoing and gap.ended_at == now


@pytest.mark.django_db
def test_custom_weights_per_organization(started):
    app, now = started.application, timezone.now()
    for i in range(2):
        _image(app, now - timedelta(seconds=60 - 10 * i), ["multiple_faces"])
    assert integrity_compute(application=app, now=now)["score"] == 90
    IntegrityRules.objects.create(organization=started.organization, weights={"multiple_faces": 40})
    assert integrity_compute(application=app, now=now)["score"] == 60


@pytest.mark.django_db
def test_integrity_api_returns_summary_weights_and_incidents(started, globex, token_client_for):
    app, now = started.application, timezone.now()
    for i in range(2):
        _image(app, now - timedelta(seconds=60 - 10 * i), ["no_face"])
    url = f"/api/applications/{app.id}/integrity/"
    body = token_client_for(started.recruiter).get(url).json()
    assert body["score"] == 95
    assert body["weights"]["no_face"] == 5
    assert body["summary"]["no_face"]["count"] == 1
    assert body["incidents"][0]["reason"].startswith("No face visible from ")
    assert token_client_for(started.candidate).get(url).status_code == 200
    assert token_client_for(globex.recruiter).get(url).status_code == 404


@pytest.mark.django_db
def test_csv_has_one_row_per_capture_and_per_incident(started, token_client_for):
    app, now = started.application, timezone.now()
    for i in range(3):
        _image(app, now - timedelta(seconds=60 - 10 * i), ["no_face"])
    _image(app, now - timedelta(seconds=20), [])
    response = token_client_for(started.recruiter).get(f"/api/applications/{app.id}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["record"] for r in rows].count("capture") == 4
    assert [r["record"] for r in rows].count("incident") == 1
    assert rows[0]["flags"] == "no_face"


@pytest.mark.django_db
def test_csv_cells_never_start_a_formula(started, token_client_for):
    """The sender's name is written as it was typed: a name that is a formula stays text."""
    app, rita = started.application, started.recruiter
    rita.first_name, rita.last_name = "=1+1", "-cmd"
    rita.save()
    MonitoringImageFactory(application=app, uploaded_by=rita)
    response = token_client_for(rita).get(f"/api/applications/{app.id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["added_by"] == "'=1+1 -cmd"
    starts = {cell[:1] for row in rows for cell in row.values() if cell}
    assert not starts & {"=", "+", "-", "@", "\t", "\r"}
