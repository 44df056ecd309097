"""The incremental updates always agree with a recompute from scratch.

Random interviews (seeded, so a failure repeats): captures arriving in any order, some late,
some added by the recruiter, analyses finishing late and being redone, captures deleted, page
events (some late), the camera going off and on. After every step's update, the stored
incidents must equal what `compute` makes of everything stored.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraEvent
from monitoring.integrity.rules import event_counted_at
from monitoring.integrity.selectors import compute
from monitoring.integrity.services import (
    integrity_camera_changed,
    integrity_event_recorded,
    integrity_frame_changed,
    integrity_frame_removed,
)
from monitoring.models import FrameAnalysis, IntegrityEvent, IntegritySummary, MonitoringImage
from tests.factories import (
    CameraEventFactory,
    FrameAnalysisFactory,
    MonitoringEventFactory,
    MonitoringImageFactory,
)

pytestmark = pytest.mark.django_db

FLAGS = [None, None, None, "no_face", "no_face", "multiple_faces", "camera_covered", "frozen_frame"]
PAGE = ["tab_hidden", "tab_visible", "window_blur", "window_focus", "screen_share_stopped"]
PAGE += ["screen_share_started"]


def _stored(app):
    rows = IntegrityEvent.objects.filter(application=app).order_by("started_at", "type")
    return sorted(
        (r.type, r.started_at, r.ended_at, r.ongoing, r.frame_count, r.image_ids, r.reason)
        for r in rows
    )


def _computed(app, now):
    return sorted(
        (i.type, i.started_at, i.ended_at, i.ongoing, i.frame_count, i.image_ids, i.reason)
        for i in compute(application=app, now=now)["incidents"]
    )


def _analyse(image, flag):
    FrameAnalysis.objects.filter(image=image).delete()
    FrameAnalysisFactory(image=image, **({flag: True} if flag else {}))


@pytest.mark.parametrize("seed", range(6))
def test_incremental_updates_equal_a_full_recompute(acme, seed):
    rng = random.Random(seed)
    app = acme.application
    now = timezone.now()
    t0 = now - timedelta(minutes=40)
    app.started_at, app.camera_interval = t0, 10
    app.save()
    for kind, minute in (("on", 0), ("off", 17), ("on", 19)):
        event = CameraEventFactory(
            application=app, kind=kind, occurred_at=t0 + timedelta(minutes=minute)
        )
        integrity_camera_changed(camera_event_id=event.id, now=now)

    times = [t0 + timedelta(seconds=10 * i + rng.randint(0, 3)) for i in range(1, 150)]
    rng.shuffle(times)
    stored: list[MonitoringImage] = []
    for step, at in enumerate(times[:70]):
        roll = rng.random()
        if roll < 0.08:  # someone else's capture: shown, never counted
            image = MonitoringImageFactory(
                application=app, captured_at=at, uploaded_by=acme.recruiter
            )
        else:
            late = roll < 0.2
            received = at + timedelta(minutes=5) if late else at + timedelta(seconds=2)
            image = MonitoringImageFactory(
                application=app, captured_at=at, received_at=received, late=late
            )
        integrity_frame_changed(image_id=image.id, now=now)  # stored: the silence it closes
        _analyse(image, rng.choice(FLAGS))
        integrity_frame_changed(image_id=image.id, now=now)  # analysed: its flag
        stored.append(image)
        if step % 7 == 3:  # a re-analysis (a late predecessor changed its comparison)
            again = rng.choice(stored)
            _analyse(again, rng.choice(FLAGS))
            integrity_frame_changed(image_id=again.id, now=now)
        if step % 11 == 5:  # a reviewer deletes a capture
            gone = stored.pop(rng.randrange(len(stored)))
            at_gone, gone_id = gone.captured_at, gone.id
            gone.delete()
            integrity_frame_removed(application=app, at=at_gone, image_id=gone_id, now=now)
        if step % 4 == 1:  # a page event, sometimes sent late
            occurred = t0 + timedelta(seconds=rng.randint(0, 2300))
            received = occurred + timedelta(seconds=rng.choice([1, 1, 1, 200]))
            type = rng.choice(PAGE)
            late, counted = event_counted_at(type, occurred, received, slack=30)
            event = MonitoringEventFactory(
                application=app,
                type=type,
                occurred_at=occurred,
                received_at=received,
                late=late,
                counted_at=counted,
            )
            integrity_event_recorded(event_id=event.id, now=now)
        if step == 60:  # heartbeat lost mid-interview, then back
            for kind, minute in (("timeout", 27), ("on", 28)):
                event = CameraEventFactory(
                    application=app, kind=kind, occurred_at=t0 + timedelta(minutes=minute)
                )
                integrity_camera_changed(camera_event_id=event.id, now=now)
        if step % 4 == 0:
            assert _stored(app) == _computed(app, now), f"seed {seed}, step {step}"
    assert _stored(app) == _computed(app, now), f"seed {seed}, at the end"

    summary = IntegritySummary.objects.get(application=app)
    assert summary.score == compute(application=app, now=now)["score"]
    assert summary.incident_count == IntegrityEvent.objects.filter(application=app).count()
    assert CameraEvent.objects.filter(application=app).count() == 5
