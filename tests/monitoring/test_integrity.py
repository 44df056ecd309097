"""Sustained incidents, every source, the score, the API and the CSV."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraEvent
from monitoring import integrity
from monitoring.integrity_service import compute, integrity_recompute
from monitoring.models import FrameAnalysis, IntegrityRules, MonitoringEvent, MonitoringImage

T0 = datetime(2026, 11, 23, 10, 2, 0, tzinfo=UTC)
RULES = integrity.Rules(2, 20, 10, 10, {"no_face": 5, "multiple_faces": 10})


def _frames(*flags, step=15):
    return [
        integrity.Frame(i, T0 + timedelta(seconds=step * i), None if f is None else tuple(f))
        for i, f in enumerate(flags)
    ]


def test_one_bad_frame_is_not_an_incident():
    assert integrity.frame_incidents(_frames([], ["no_face"], []), RULES, open_end=False) == []


def test_two_bad_frames_make_one_incident_with_the_right_span():
    (incident,) = integrity.frame_incidents(
        _frames([], ["no_face"], ["no_face"], []), RULES, open_end=False
    )
    assert incident.type == "no_face"
    assert (incident.started_at, incident.ended_at) == (
        T0 + timedelta(seconds=15),
        T0 + timedelta(seconds=30),
    )
    assert incident.image_ids == [1, 2]
    assert incident.reason == "No face visible from 10:02:15 to 10:02:30, 2 frames"


def test_twenty_seconds_of_one_slow_frame_pair_counts_too():
    rules = integrity.Rules(3, 20, 10, 10, {})
    (incident,) = integrity.frame_incidents(
        _frames(["no_face"], ["no_face"], step=25), rules, open_end=False
    )
    assert incident.frame_count == 2


def test_late_frame_in_the_middle_merges_not_splits():
    # Frame 2 is not analysed yet: it neither breaks nor extends the run.
    pending = integrity.frame_incidents(
        _frames(["no_face"], ["no_face"], None, ["no_face"], []), RULES, open_end=False
    )
    assert [i.image_ids for i in pending] == [[0, 1, 3]]
    # Its analysis arrives: still one episode.
    done = integrity.frame_incidents(
        _frames(["no_face"], ["no_face"], ["no_face"], ["no_face"], []), RULES, open_end=False
    )
    assert [i.image_ids for i in done] == [[0, 1, 2, 3]]


def test_good_frame_in_the_middle_splits():
    got = integrity.frame_incidents(
        _frames(["no_face"], ["no_face"], [], ["no_face"], ["no_face"]), RULES, open_end=False
    )
    assert [i.image_ids for i in got] == [[0, 1], [3, 4]]


def test_run_to_the_last_frame_is_ongoing_while_in_progress():
    (incident,) = integrity.frame_incidents(
        _frames([], ["multiple_faces"], ["multiple_faces"]), RULES, open_end=True
    )
    assert incident.ongoing and "(ongoing)" in incident.reason


def test_interval_incidents_respect_the_threshold():
    events = [
        integrity.Event("tab_hidden", T0),
        integrity.Event("tab_visible", T0 + timedelta(seconds=5)),
        integrity.Event("tab_hidden", T0 + timedelta(seconds=60)),
        integrity.Event("tab_visible", T0 + timedelta(seconds=95)),
    ]
    got = integrity.interval_incidents(
        events,
        start={"tab_hidden"},
        end={"tab_visible"},
        kind="tab_hidden",
        min_seconds=10,
        now=T0,
        open_end=False,
    )
    assert [(i.duration_seconds, i.reason) for i in got] == [
        (35.0, "Interview tab hidden from 10:03:00 to 10:03:35 (35 s)")
    ]


def test_snapshot_gaps_while_live():
    on, off = T0, T0 + timedelta(seconds=120)
    frames = [T0 + timedelta(seconds=s) for s in (2, 12, 22, 80, 90, 100, 110)]
    (gap,) = integrity.snapshot_gaps(frames, [(on, off)], interval=10, open_end=False, now=off)
    assert (gap.started_at, gap.ended_at) == (
        T0 + timedelta(seconds=22),
        T0 + timedelta(seconds=80),
    )
    assert "expected every 10 s" in gap.reason


def test_score_uses_the_weights_per_started_minute():
    incidents = [
        integrity.Incident("no_face", T0, T0 + timedelta(seconds=30)),
        integrity.Incident("multiple_faces", T0, T0 + timedelta(seconds=150)),
    ]
    score, summary = integrity.score(incidents, {"no_face": 5, "multiple_faces": 10})
    assert score == 100 - 5 - 30
    assert summary["multiple_faces"] == {
        "count": 1,
        "duration_seconds": 150.0,
        "points": 30,
        "label": "Several faces visible",
    }
    assert integrity.score(incidents, {"no_face": 50, "multiple_faces": 50})[0] == 0


# --- Through the database --------------------------------------------------------------------


def _image(app, at, flags=None):
    image = MonitoringImage.objects.create(
        application=app,
        image_type="camera",
        file=f"monitoring/{app.id}/camera/{uuid.uuid4()}.jpg",
        captured_at=at,
        client_id=uuid.uuid4(),
        width=1,
        height=1,
        byte_size=1,
        sha256="0" * 64,
    )
    if flags is not None:
        FrameAnalysis.objects.create(
            image=image, face_count=0 if "no_face" in flags else 1, **dict.fromkeys(flags, True)
        )
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
        MonitoringEvent.objects.create(
            application=app, type=kind, occurred_at=base + timedelta(seconds=seconds)
        )
    user = started.candidate
    for kind, seconds in (("on", -5), ("off", 200), ("on", 260)):
        CameraEvent.objects.create(
            user=user, application=app, kind=kind, occurred_at=base + timedelta(seconds=seconds)
        )
    result = integrity_recompute(application_id=app.id, now=now)
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
    CameraEvent.objects.create(
        user=started.candidate, application=app, kind="on", occurred_at=now - timedelta(seconds=90)
    )
    _image(app, now - timedelta(seconds=85), [])
    result = compute(application=app, now=now)
    (gap,) = [i for i in result["incidents"] if i.type == "snapshot_gap"]
    assert gap.ongoing and gap.ended_at == now


@pytest.mark.django_db
def test_custom_weights_per_organization(started):
    app, now = started.application, timezone.now()
    for i in range(2):
        _image(app, now - timedelta(seconds=60 - 10 * i), ["multiple_faces"])
    assert compute(application=app, now=now)["score"] == 90
    IntegrityRules.objects.create(organization=started.organization, weights={"multiple_faces": 40})
    assert compute(application=app, now=now)["score"] == 60


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
