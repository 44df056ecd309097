"""Nobody but the candidate writes the candidate's record (issue "Record integrity, part 1").

A reviewer's capture never changes the analysis of the candidate's frames; a reviewer's
delete or settings change never creates an incident; a snapshot never crosses to another
interview's board; a client clock cannot date the record ahead; nothing is written after the
interview stopped being recordable.
"""

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from applications.models import JobApplication
from applications.services import consent_withdraw
from cameras.models import CameraEvent, CameraStream
from monitoring.models import (
    AccessEvent,
    DeletedCapture,
    FrameAnalysis,
    IntegrityEvent,
    IntegritySummary,
    MonitoringImage,
)
from tests.factories import CameraEventFactory, JobApplicationFactory, MonitoringConsentFactory
from tests.monitoring.conftest import FRAMES

pytestmark = pytest.mark.django_db


def _b64(name: str) -> str:
    return base64.b64encode((FRAMES / name).read_bytes()).decode()


def _upload(client, app, name, at, capture, image_type="camera"):
    with capture(execute=True):  # the analysis and the integrity update run after commit
        return client.post(
            f"/api/applications/{app.id}/monitoring-images/",
            {"image_type": image_type, "image_data": _b64(name), "captured_at": at.isoformat()},
            format="json",
        )


# --- 1. A reviewer's capture changes nothing of the candidate's --------------------------------


def test_a_reviewers_copies_do_not_make_the_candidates_frames_frozen(
    consented, token_client_for, django_capture_on_commit_callbacks
):
    app = consented.application
    john, rita = token_client_for(consented.candidate), token_client_for(consented.recruiter)
    t0 = timezone.now() - timedelta(minutes=5)
    names = ["one_face.jpg", "one_face_moved.jpg", "one_face.jpg", "one_face_moved.jpg"]
    for i, name in enumerate(names):
        at = t0 + timedelta(seconds=10 * i)
        assert _upload(john, app, name, at, django_capture_on_commit_callbacks).status_code == 201
        # The same picture, one millisecond earlier, uploaded by the recruiter.
        copy = _upload(
            rita, app, name, at - timedelta(milliseconds=1), django_capture_on_commit_callbacks
        )
        assert copy.status_code == 201
    own = FrameAnalysis.objects.filter(image__uploaded_by=consented.candidate)
    assert own.count() == 4
    assert not own.filter(frozen_frame=True).exists()
    assert not IntegrityEvent.objects.filter(application=app, type="frozen_frame").exists()


# --- 2. A reviewer's setting or delete creates no incident ------------------------------------


def test_monitoring_settings_lock_once_recording_begins_and_every_change_is_audited(
    acme, token_client_for
):
    rita, john = token_client_for(acme.recruiter), token_client_for(acme.candidate)
    url = f"/api/applications/{acme.application.id}/"
    assert acme.application.started_at is None
    response = rita.patch(url, {"camera_interval": 20}, format="json")
    assert response.status_code == 200
    (entry,) = AccessEvent.objects.filter(action=AccessEvent.Action.SETTINGS_CHANGED)
    assert (entry.actor, entry.detail) == (acme.recruiter, "camera_interval 30 → 20")

    consent = john.post(f"/api/applications/{acme.application.id}/consent/", {"accepted": True})
    assert consent.status_code == 201  # the first recording: started_at is stamped
    acme.application.refresh_from_db()
    assert acme.application.started_at is not None

    locked = rita.patch(url, {"camera_interval": 2}, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "settings_locked"
    assert rita.patch(url, {"camera_interval": 20}, format="json").status_code == 200  # no change
    acme.application.refresh_from_db()
    assert acme.application.camera_interval == 20
    assert AccessEvent.objects.filter(action=AccessEvent.Action.SETTINGS_CHANGED).count() == 1


@pytest.fixture
def live_interview(consented):
    """John's interview in progress, camera on, a snapshot expected every 10 s."""
    app = consented.application
    app.started_at = timezone.now() - timedelta(minutes=10)
    app.camera_interval = 10
    app.save()
    CameraEventFactory(application=app, kind="on", occurred_at=app.started_at)
    return consented


def _incidents(app):
    return sorted((i.type, i.frame_count) for i in IntegrityEvent.objects.filter(application=app))


def test_a_reviewers_delete_of_a_clean_frame_leaves_no_gap_and_joins_no_runs(
    live_interview, token_client_for, django_capture_on_commit_callbacks, time_machine
):
    app = live_interview.application
    john, rita = (
        token_client_for(live_interview.candidate),
        token_client_for(live_interview.recruiter),
    )
    t0 = app.started_at
    names = ["no_face_coffee.jpg", "no_face_cat.jpg", "one_face.jpg"]
    names += ["no_face_coffee.jpg", "no_face_cat.jpg", "one_face_moved.jpg"]
    names += ["one_face.jpg", "one_face_moved.jpg"] * 22
    ids = []
    for i, name in enumerate(names):  # every 12 s, up to a moment ago
        at = t0 + timedelta(seconds=1 + 12 * i)
        time_machine.move_to(at + timedelta(seconds=1), tick=False)  # each arrives on time
        ids.append(_upload(john, app, name, at, django_capture_on_commit_callbacks).json()["id"])
    time_machine.move_to(t0 + timedelta(seconds=12 * len(names)), tick=False)
    before = _incidents(app)
    assert before == [("no_face", 2), ("no_face", 2)]
    score = IntegritySummary.objects.get(application=app).score

    with django_capture_on_commit_callbacks(execute=True):
        gone = rita.delete(f"/api/applications/{app.id}/monitoring-images/{ids[2]}/")
    assert gone.status_code == 204
    assert _incidents(app) == before  # no silence made of the delete, the two runs stay apart
    assert IntegritySummary.objects.get(application=app).score == score
    slot = DeletedCapture.objects.get()
    assert (slot.image_id, slot.deleted_by, slot.by_candidate) == (
        ids[2],
        live_interview.recruiter,
        True,
    )
    listing = rita.get(f"/api/applications/{app.id}/monitoring-images/").json()
    (deleted,) = listing["deleted"]
    assert deleted["deleted_by"]["name"] == "Rita Reyes" and deleted["image_type"] == "camera"


# --- 3. A snapshot never crosses to another interview ----------------------------------------


def test_a_stream_attached_to_another_interview_starts_with_no_snapshot_or_incident(
    consented, globex, token_client_for, django_capture_on_commit_callbacks
):
    john = token_client_for(consented.candidate)
    acme_app = consented.application
    globex_app = JobApplicationFactory(job=globex.job, candidate=consented.candidate)
    MonitoringConsentFactory(application=globex_app)
    status = "/api/camera/status"
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            john.post(
                status, {"is_active": True, "application_id": acme_app.id}, format="json"
            ).status_code
            == 200
        )
    _upload(john, acme_app, "one_face.jpg", timezone.now(), django_capture_on_commit_callbacks)
    stream = CameraStream.objects.get(user=consented.candidate)
    stream.incident = {"type": "no_face", "reason": "Acme's incident"}
    stream.save()
    assert stream.snapshot_key.startswith(f"monitoring/{acme_app.id}/")

    signed_before = AccessEvent.objects.filter(action=AccessEvent.Action.URL_ISSUED).count()
    with django_capture_on_commit_callbacks(execute=True):
        on = john.post(status, {"is_active": True, "application_id": globex_app.id}, format="json")
    assert on.status_code == 200
    stream.refresh_from_db()
    assert stream.application_id == globex_app.id
    assert (stream.snapshot_key, stream.snapshot_at, stream.incident) == ("", None, None)
    # No signed URL of Acme's capture went to anyone with the move.
    assert AccessEvent.objects.filter(action=AccessEvent.Action.URL_ISSUED).count() == signed_before


# --- 4. Client clocks cannot pre-fill the record ----------------------------------------------


def test_times_ahead_of_the_server_are_recorded_at_their_receive_time(
    consented, token_client_for, django_capture_on_commit_callbacks
):
    app, john = consented.application, token_client_for(consented.candidate)
    now = timezone.now()
    ahead = _upload(
        john, app, "one_face.jpg", now + timedelta(seconds=60), django_capture_on_commit_callbacks
    )
    assert ahead.status_code == 201
    close = _upload(
        john,
        app,
        "one_face_moved.jpg",
        now + timedelta(seconds=2),
        django_capture_on_commit_callbacks,
    )
    assert close.status_code == 201
    too_far = _upload(
        john, app, "one_face.jpg", now + timedelta(minutes=6), django_capture_on_commit_callbacks
    )
    assert too_far.status_code == 400 and too_far.json()["code"] == "captured_at_in_future"

    images = {i.pk: i for i in MonitoringImage.objects.filter(application=app)}
    adjusted = images[ahead.json()["id"]]
    assert adjusted.clock_adjusted and adjusted.captured_at == adjusted.received_at
    assert not images[close.json()["id"]].clock_adjusted
    listing = john.get(f"/api/applications/{app.id}/monitoring-images/").json()["camera"]
    assert [i["clock_adjusted"] for i in listing] == [True, False]

    event = john.post(
        f"/api/applications/{app.id}/events/",
        {"type": "tab_hidden", "occurred_at": (now + timedelta(seconds=90)).isoformat()},
        format="json",
    )
    assert event.status_code == 201
    body = event.json()
    assert body["clock_adjusted"] is True and body["occurred_at"] == body["received_at"]


def test_camera_off_touches_only_the_interview_of_the_stream(
    consented, globex, token_client_for, django_capture_on_commit_callbacks
):
    john = token_client_for(consented.candidate)
    other = JobApplicationFactory(
        job=globex.job, candidate=consented.candidate, status=JobApplication.Status.COMPLETED
    )
    status = "/api/camera/status"
    with django_capture_on_commit_callbacks(execute=True):
        john.post(
            status, {"is_active": True, "application_id": consented.application.id}, format="json"
        )
        off = john.post(status, {"is_active": False, "application_id": other.id}, format="json")
    assert off.status_code == 200
    assert not CameraEvent.objects.filter(application=other).exists()
    kinds = CameraEvent.objects.filter(application=consented.application)
    assert list(kinds.values_list("kind", flat=True)) == ["on", "off"]
    assert (
        CameraStream.objects.get(user=consented.candidate).application_id
        == consented.application.id
    )


def test_an_upload_whose_consent_is_withdrawn_during_the_write_is_not_kept(
    consented, token_client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from monitoring.images import services

    app, john = consented.application, token_client_for(consented.candidate)
    real_store = services.store

    def store_then_withdraw(key, data):
        stored = real_store(key, data)
        consent_withdraw(actor=consented.candidate, application=app)  # meanwhile, on the page
        return stored

    monkeypatch.setattr(services, "store", store_then_withdraw)
    folder = Path(settings.MEDIA_ROOT) / "monitoring" / str(app.id)
    files_before = {p for p in folder.rglob("*") if p.is_file()}
    response = _upload(
        john, app, "one_face.jpg", timezone.now(), django_capture_on_commit_callbacks
    )
    assert response.status_code == 409 and response.json()["code"] == "consent_required"
    assert not MonitoringImage.objects.filter(application=app).exists()
    assert {p for p in folder.rglob("*") if p.is_file()} == files_before  # the object is gone
