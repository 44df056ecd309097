"""Presence services: the freshness rule with a frozen clock, coalescing, history, the sweep."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras.models import CameraEvent, CameraStream
from cameras.selectors import active_streams_for_user
from cameras.services import camera_stream_set_status, camera_streams_end_stale
from cameras.tasks import sweep_stale_streams
from tests.factories import CameraStreamFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def broadcasts(monkeypatch):
    """Record what would reach the boards (the socket path is tested in test_consumers)."""
    sent = []
    monkeypatch.setattr(
        "cameras.services.board.stream_broadcast",
        lambda **kw: sent.append((kw["event"], kw["stream"]["username"], kw["organization_id"])),
    )
    return sent


def _set(user, active, at, application=None, capture=None):
    with capture(execute=True):
        return camera_stream_set_status(
            user=user, is_active=active, application=application, now=at
        )


def test_freshness_rule_with_frozen_clock(acme, settings, django_capture_on_commit_callbacks):
    settings.CAMERA_STREAM_TIMEOUT = 30
    _set(acme.candidate, True, T0, acme.application, django_capture_on_commit_callbacks)
    live = lambda at: list(active_streams_for_user(user=acme.recruiter, now=at))  # noqa: E731
    assert len(live(T0 + timedelta(seconds=29))) == 1
    assert len(live(T0 + timedelta(seconds=30))) == 1
    assert live(T0 + timedelta(seconds=31)) == []


def test_heartbeats_coalesce_board_updates(
    acme, settings, broadcasts, django_capture_on_commit_callbacks
):
    settings.CAMERA_BOARD_COALESCE_SECONDS = 5
    cap = django_capture_on_commit_callbacks
    _set(acme.candidate, True, T0, acme.application, cap)
    for second in (1, 2, 3, 4):
        _set(acme.candidate, True, T0 + timedelta(seconds=second), acme.application, cap)
    _set(acme.candidate, True, T0 + timedelta(seconds=6), acme.application, cap)
    _set(acme.candidate, False, T0 + timedelta(seconds=7), None, cap)
    org = acme.organization.id
    assert broadcasts == [
        ("stream.started", "john", org),
        ("stream.updated", "john", org),
        ("stream.ended", "john", org),
    ]
    assert CameraStream.objects.get().last_updated == T0 + timedelta(seconds=7)


def test_quiet_heartbeat_is_a_single_update(acme, settings, django_capture_on_commit_callbacks):
    settings.CAMERA_BOARD_COALESCE_SECONDS = 5
    _set(acme.candidate, True, T0, acme.application, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        camera_stream_set_status(
            user=acme.candidate,
            is_active=True,
            application=acme.application,
            now=T0 + timedelta(seconds=2),
        )
    statements = [q["sql"].upper() for q in queries]
    assert [s for s in statements if s.startswith(("SELECT", "INSERT", "UPDATE"))] == [
        next(s for s in statements if s.startswith("UPDATE"))
    ]


def test_heartbeat_after_silence_restarts_stream_and_records_timeout(
    acme, settings, broadcasts, django_capture_on_commit_callbacks
):
    settings.CAMERA_STREAM_TIMEOUT = 30
    cap = django_capture_on_commit_callbacks
    _set(acme.candidate, True, T0, acme.application, cap)
    _set(acme.candidate, True, T0 + timedelta(seconds=60), acme.application, cap)
    assert [e for e, *_ in broadcasts] == ["stream.started", "stream.started"]
    kinds = list(CameraEvent.objects.values_list("kind", "occurred_at"))
    assert kinds == [("on", T0), ("timeout", T0), ("on", T0 + timedelta(seconds=60))]
    assert CameraStream.objects.get().started_at == T0 + timedelta(seconds=60)


def test_turning_off_an_off_camera_broadcasts_nothing(
    acme, broadcasts, django_capture_on_commit_callbacks
):
    _set(acme.candidate, False, T0, None, django_capture_on_commit_callbacks)
    assert broadcasts == []
    assert not CameraEvent.objects.exists()


def test_stream_without_application_goes_to_admins_only(
    acme, broadcasts, django_capture_on_commit_callbacks
):
    _set(acme.recruiter, True, T0, None, django_capture_on_commit_callbacks)
    assert broadcasts == [("stream.started", "rita", None)]


def test_sweep_ends_stale_streams_and_broadcasts(
    acme, globex, settings, broadcasts, django_capture_on_commit_callbacks
):
    settings.CAMERA_STREAM_TIMEOUT = 30
    cap = django_capture_on_commit_callbacks
    _set(acme.candidate, True, T0, acme.application, cap)
    _set(globex.candidate, True, T0 + timedelta(seconds=20), globex.application, cap)
    broadcasts.clear()
    with cap(execute=True):
        ended = camera_streams_end_stale(now=T0 + timedelta(seconds=40))
    assert ended == 1
    assert broadcasts == [("stream.ended", "john", acme.organization.id)]
    assert CameraStream.objects.get(user=acme.candidate).is_active is False
    assert CameraStream.objects.get(user=globex.candidate).is_active is True
    assert CameraEvent.objects.filter(kind="timeout", user=acme.candidate).count() == 1
    with cap(execute=True):
        assert camera_streams_end_stale(now=T0 + timedelta(seconds=40)) == 0  # idempotent


def test_sweep_task_runs_the_sweep(acme, settings, django_capture_on_commit_callbacks):
    settings.CAMERA_STREAM_TIMEOUT = 30
    _set(acme.candidate, True, T0, acme.application, django_capture_on_commit_callbacks)
    assert sweep_stale_streams.delay() is not None  # eager in the fast tier
    assert CameraStream.objects.get().is_active is False


def test_the_sweep_runs_every_second_and_beat_is_the_backstop(settings):
    from common.runner import beat_schedule

    entry = settings.CELERY_BEAT_SCHEDULE["camera-sweep-stale-streams"]
    assert entry["task"] == "cameras.sweep_stale_streams"
    # The web processes (with a broker) and the embedded runner sweep every second; beat
    # every 5 s, a sweep that waited longer than that expiring unrun.
    assert settings.LIVE_SWEEPS == {"cameras.sweep_stale_streams": 1.0}
    assert entry["schedule"] == 5.0 and entry["options"]["expires"] == 5.0
    assert beat_schedule()["cameras.sweep_stale_streams"] == 1.0


def test_new_snapshot_updates_the_board_card_and_old_ones_do_not(
    acme, broadcasts, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from cameras.services import camera_stream_snapshot

    now = timezone.now()
    cap = django_capture_on_commit_callbacks
    _set(acme.candidate, True, now, acme.application, cap)
    broadcasts.clear()
    kwargs = {"user_id": acme.candidate.id, "application_id": acme.application.id}
    with cap(execute=True):
        assert camera_stream_snapshot(key="monitoring/1/camera/2.jpg", captured_at=now, **kwargs)
    with cap(execute=True):
        older = now - timedelta(seconds=30)
        assert not camera_stream_snapshot(
            key="monitoring/1/camera/1.jpg", captured_at=older, **kwargs
        )
    assert broadcasts == [("stream.updated", "john", acme.organization.id)]
    stream = CameraStream.objects.get()
    assert stream.snapshot_key == "monitoring/1/camera/2.jpg"


def test_board_payload_signs_the_snapshot(acme):
    from django.utils import timezone

    from cameras.selectors import board_payload

    stream = CameraStreamFactory(
        user=acme.candidate,
        application=acme.application,
        snapshot_key="monitoring/1/camera/2.jpg",
        snapshot_at=timezone.now(),
    )
    payload = board_payload(stream=stream)
    assert payload["snapshot_url"].startswith("/media/signed/")
    assert payload["snapshot_at"].endswith("Z")


def test_stream_cannot_belong_to_someone_elses_application(acme, globex):
    from common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        camera_stream_set_status(user=acme.recruiter, is_active=True, application=acme.application)
    with pytest.raises(NotAllowed):
        camera_stream_set_status(
            user=acme.candidate, is_active=True, application=globex.application
        )
    assert not CameraStream.objects.exists()
