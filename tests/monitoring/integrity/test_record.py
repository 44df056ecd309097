"""A record a hiring decision can rest on: who sent what, the server's clock, reads that
never write."""

import base64
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraStream
from monitoring.integrity.selectors import integrity_compute
from monitoring.integrity.services import integrity_frame_changed, integrity_rebuild
from monitoring.models import IntegrityEvent, IntegritySummary
from tests.factories import CameraEventFactory, MonitoringEventFactory
from tests.monitoring.conftest import FRAMES, store_frame

pytestmark = pytest.mark.django_db

BLACK = base64.b64encode((FRAMES / "covered_black.jpg").read_bytes()).decode()
FACES = [
    base64.b64encode((FRAMES / name).read_bytes()).decode()
    for name in ("one_face.jpg", "one_face_moved.jpg")  # alternate: a still image is "frozen"
]


@pytest.fixture
def live(consented):
    """John's interview in progress for 10 minutes, camera on, a snapshot every 30 s."""
    app = consented.application
    app.started_at = timezone.now() - timedelta(minutes=10)
    app.camera_interval = 30
    app.save()
    CameraEventFactory(application=app, kind="on", occurred_at=app.started_at)
    return consented


def _upload(client, app, data, captured_at, capture):
    with capture(execute=True):
        response = client.post(
            f"/api/applications/{app.id}/monitoring-images/",
            {"image_type": "camera", "image_data": data, "captured_at": captured_at.isoformat()},
            format="json",
        )
    assert response.status_code == 201, response.json()
    return response.json()


def _types(app) -> list[str]:
    return sorted(IntegrityEvent.objects.filter(application=app).values_list("type", flat=True))


def test_frames_a_recruiter_adds_are_attributed_and_never_count(
    live, token_client_for, django_capture_on_commit_callbacks
):
    app, rita = live.application, token_client_for(live.recruiter)
    start = timezone.now() - timedelta(seconds=50)
    for i in range(4):
        _upload(
            rita, app, BLACK, start + timedelta(seconds=10 * i), django_capture_on_commit_callbacks
        )

    listing = rita.get(f"/api/applications/{app.id}/monitoring-images/").json()["camera"]
    assert len(listing) == 4
    assert {i["uploaded_by"]["username"] for i in listing} == {"rita"}
    assert all(i["analysis"]["flags"] == ["camera_covered"] for i in listing)  # shown as seen
    assert all(i["received_at"] and i["late"] is False for i in listing)
    assert "camera_covered" not in _types(app)  # …but never the candidate's incident
    rows = list(
        csv.DictReader(
            io.StringIO(rita.get(f"/api/applications/{app.id}/export.csv").content.decode())
        )
    )
    captures = [r for r in rows if r["record"] == "capture"]
    assert {r["added_by"] for r in captures} == {"Rita Reyes"}

    # The same frames from the candidate are an incident: the rule itself still works.
    john = token_client_for(live.candidate)
    for i in range(4):
        _upload(
            john,
            app,
            BLACK,
            start + timedelta(seconds=10 * i + 5),
            django_capture_on_commit_callbacks,
        )
    assert "camera_covered" in _types(app)
    assert _types(app) == sorted(i.type for i in integrity_compute(application=app)["incidents"])


def test_back_dated_frames_into_a_gap_become_a_late_upload(
    live, token_client_for, django_capture_on_commit_callbacks, time_machine
):
    app, john = live.application, token_client_for(live.candidate)
    now = timezone.now()
    # The server's clock stands still: what is late depends on the captures, not on how long
    # twenty uploads take on a busy machine.
    time_machine.move_to(now, tick=False)
    for seconds in (600, 570, 540):  # these reached the server on time
        image = store_frame(app, "one_face.jpg", now - timedelta(seconds=seconds))
        image.received_at = image.captured_at + timedelta(seconds=1)
        image.save()
        integrity_frame_changed(image_id=image.id)
    assert _types(app) == ["snapshot_gap"]  # silent since 9 minutes ago, and still going

    # Captures taken 8½ minutes … 30 s ago, arriving only now: those older than 2 × 30 s + 30 s
    # are late; they fill the silence, but only as a late upload.
    for i, seconds in enumerate(range(505, 0, -30)):
        captured = now - timedelta(seconds=seconds)
        _upload(john, app, FACES[i % 2], captured, django_capture_on_commit_callbacks)
    listing = john.get(f"/api/applications/{app.id}/monitoring-images/").json()["camera"]
    assert [item["late"] for item in listing] == [False] * 3 + [True] * 14 + [False] * 3
    (late,) = IntegrityEvent.objects.filter(application=app)
    assert late.type == "late_upload" and late.frame_count == 14
    assert late.reason.startswith("Captures from ") and "network outage?" in late.reason
    assert _types(app) == sorted(i.type for i in integrity_compute(application=app)["incidents"])


def test_an_on_time_capture_closes_a_gap_a_late_one_does_not(
    live, django_capture_on_commit_callbacks, token_client_for
):
    """The gap rule by the server's clock: arriving on time is what closes a silence."""
    app, john = live.application, token_client_for(live.candidate)
    now = timezone.now()
    _upload(john, app, FACES[0], now - timedelta(seconds=1), django_capture_on_commit_callbacks)
    incidents = integrity_compute(application=app)["incidents"]
    gaps = [i for i in incidents if i.type == "snapshot_gap"]
    assert len(gaps) == 1 and not gaps[0].ongoing  # 10 min of silence, closed just now
    assert _types(app) == sorted(i.type for i in incidents)


def test_a_late_event_cannot_shorten_an_episode(
    live, token_client_for, django_capture_on_commit_callbacks
):
    app, john = live.application, token_client_for(live.candidate)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        john.post(
            f"/api/applications/{app.id}/events/",
            {"type": "tab_hidden", "occurred_at": (now - timedelta(minutes=3)).isoformat()},
            format="json",
        )
        # "Visible again after 5 s" — claimed, but sent three minutes later.
        john.post(
            f"/api/applications/{app.id}/events/",
            {"type": "tab_visible", "occurred_at": (now - timedelta(seconds=175)).isoformat()},
            format="json",
        )
    events = john.get(f"/api/applications/{app.id}/events/").json()
    assert [e["late"] for e in events] == [True, True]
    assert events[0]["sender"]["username"] == "john" and events[0]["received_at"]
    (hidden,) = IntegrityEvent.objects.filter(application=app, type="tab_hidden")
    assert hidden.duration_seconds >= 170  # counted until the server heard of it


def test_reads_never_write_nor_tell_the_board(
    live, token_client_for, django_capture_on_commit_callbacks, monkeypatch
):
    app, rita = live.application, token_client_for(live.recruiter)
    app.camera_monitoring = False  # only the tab episode here
    app.save()
    start = timezone.now() - timedelta(seconds=290)
    MonitoringEventFactory(application=app, type="tab_hidden", occurred_at=start)  # still hidden
    integrity_rebuild(application_id=app.id, now=start + timedelta(seconds=30))
    before = list(IntegrityEvent.objects.filter(application=app).values())
    summary = list(IntegritySummary.objects.filter(application=app).values())
    streams = list(CameraStream.objects.values())
    sent = []
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    monkeypatch.setattr(layer, "group_send", lambda *args, **kwargs: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(2):
            body = rita.get(f"/api/applications/{app.id}/integrity/").json()
            assert rita.get(f"/api/applications/{app.id}/export.csv").status_code == 200
    assert list(IntegrityEvent.objects.filter(application=app).values()) == before
    assert list(IntegritySummary.objects.filter(application=app).values()) == summary
    assert list(CameraStream.objects.values()) == streams
    assert sent == [] and callbacks == []
    # …and yet the read counts the episode up to now, in memory.
    (incident,) = body["incidents"]
    assert incident["ongoing"] and incident["duration_seconds"] >= 285
    assert body["score"] == 100 - 4 * 5  # 5 started minutes at 4 points
