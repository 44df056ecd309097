"""The short way of an interview's first camera-on (issue 40): what the windows would have
stored, with a handful of queries — and the windows whenever anything else is on record."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import CameraEvent
from monitoring.integrity import services
from monitoring.integrity.services import integrity_camera_changed
from monitoring.models import IntegrityEvent, IntegritySummary
from tests.factories import CameraEventFactory, CameraStreamFactory, MonitoringImageFactory

from .test_incremental import _computed, _stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(acme):
    app = acme.application
    app.started_at, app.camera_interval = timezone.now() - timedelta(minutes=10), 10
    app.save(update_fields=["started_at", "camera_interval"])
    return app


@pytest.fixture
def windows(monkeypatch):
    """Counts the updates that took the windows."""
    taken = []
    update = services._interval_update
    monkeypatch.setattr(
        services, "_interval_update", lambda *a, **kw: taken.append(kw["type"]) or update(*a, **kw)
    )
    return taken


def _on(app, at):
    return CameraEventFactory(
        user=app.candidate, application=app, kind=CameraEvent.Kind.ON, occurred_at=at
    )


def test_a_first_camera_on_stores_what_the_windows_would_in_six_queries(interview, windows):
    now = timezone.now()
    event = _on(interview, now - timedelta(seconds=5))
    CameraStreamFactory(user=interview.candidate, application=interview, is_active=True)
    with CaptureQueriesContext(connection) as queries:
        integrity_camera_changed(camera_event_id=event.pk, now=now)
    assert len(queries) <= 6, "\n".join(q["sql"][:100] for q in queries)
    assert windows == []
    assert _stored(interview) == _computed(interview, now) == []
    summary = IntegritySummary.objects.get(application=interview)  # as the windows make it
    assert (summary.penalty, summary.score, summary.incident_count) == (0, 100, 0)
    integrity_camera_changed(camera_event_id=event.pk, now=now)  # a task run twice: the same
    assert IntegritySummary.objects.filter(application=interview).count() == 1


def _late_task(app, now):
    """The worker reached the camera-on later than a gap: the silence since is one."""
    return _on(app, now - timedelta(seconds=25))


def _after_an_off(app, now):
    CameraEventFactory(
        user=app.candidate,
        application=app,
        kind=CameraEvent.Kind.OFF,
        occurred_at=now - timedelta(minutes=3),
    )
    return _on(app, now - timedelta(seconds=5))


def _after_captures(app, now):
    for seconds in (60, 50):
        MonitoringImageFactory(
            application=app,
            uploaded_by=app.candidate,
            image_type="camera",
            captured_at=now - timedelta(seconds=seconds),
        )
    return _on(app, now - timedelta(seconds=5))


def _with_an_incident(app, now):
    IntegrityEvent.objects.create(
        application=app,
        type="tab_hidden",
        started_at=now - timedelta(minutes=2),
        ended_at=now - timedelta(minutes=1),
        reason="Tab hidden",
    )
    return _on(app, now - timedelta(seconds=5))


@pytest.mark.parametrize(
    "staged",
    [
        pytest.param(_late_task, id="the worker came later than a gap"),
        pytest.param(_after_an_off, id="the camera was off before"),
        pytest.param(_after_captures, id="captures came before"),
        pytest.param(_with_an_incident, id="an incident is stored"),
    ],
)
def test_anything_else_on_record_takes_the_windows(interview, windows, staged):
    now = timezone.now()
    event = staged(interview, now)
    integrity_camera_changed(camera_event_id=event.pk, now=now)
    assert windows == ["on"]
    if staged is not _with_an_incident:  # a stored page episode is no recompute's business here
        assert _stored(interview) == _computed(interview, now)
    if staged in (_late_task, _after_an_off):  # what the short way would have missed
        assert IntegrityEvent.objects.filter(application=interview).exists()


def test_an_ended_interview_takes_the_windows(interview, windows):
    now = timezone.now()
    event = _on(interview, now - timedelta(seconds=5))
    interview.status, interview.completed_at = "completed", now
    interview.save(update_fields=["status", "completed_at"])
    integrity_camera_changed(camera_event_id=event.pk, now=now)
    assert windows == ["on"]
    assert _stored(interview) == _computed(interview, now)
