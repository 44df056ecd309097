"""The incremental updates always agree with a recompute from scratch.

Random interviews (seeded, so a failure repeats): captures arriving in any order, some late,
some added by the recruiter, analyses finishing late and being redone, frames compared with
the selfie or not yet (and compared again with a new one), captures deleted, page events (some
late), the camera going off and on. After every step's update, the stored
incidents must equal what `integrity_compute` makes of everything stored.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraEvent
from monitoring.images.services import capture_deletion_record
from monitoring.integrity.rules import event_counted_at
from monitoring.integrity.selectors import integrity_compute
from monitoring.integrity.services import (
    integrity_camera_changed,
    integrity_event_recorded,
    integrity_frame_changed,
    integrity_frame_removed,
    integrity_rebuild,
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
# A frame's identity: not compared yet (no selfie), the candidate (or no face), a stranger.
IDENTITY = [None, None, False, False, True, True]


def _stored(app):
    rows = IntegrityEvent.objects.filter(application=app).order_by("started_at", "type")
    return sorted(
        (r.type, r.started_at, r.ended_at, r.ongoing, r.frame_count, r.image_ids, r.reason)
        for r in rows
    )


def _computed(app, now):
    return sorted(
        (i.type, i.started_at, i.ended_at, i.ongoing, i.frame_count, i.image_ids, i.reason)
        for i in integrity_compute(application=app, now=now)["incidents"]
    )


def _analyse(image, flag, identity=None):
    FrameAnalysis.objects.filter(image=image).delete()
    FrameAnalysisFactory(image=image, identity_mismatch=identity, **({flag: True} if flag else {}))


@pytest.mark.parametrize("seed", range(4))
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
        _analyse(image, rng.choice(FLAGS), rng.choice(IDENTITY))
        integrity_frame_changed(image_id=image.id, now=now)  # analysed: its flag
        stored.append(image)
        if step % 7 == 3:  # a re-analysis (a late predecessor changed its comparison)
            again = rng.choice(stored)
            _analyse(again, rng.choice(FLAGS), rng.choice(IDENTITY))
            integrity_frame_changed(image_id=again.id, now=now)
        if step % 9 == 2:  # compared with a (new) selfie: only the identity changes
            again = rng.choice(stored)
            FrameAnalysis.objects.filter(image=again).update(
                identity_mismatch=rng.choice(IDENTITY[1:])
            )
            integrity_frame_changed(image_id=again.id, now=now)
        if step % 11 == 5 or step % 13 == 7:  # a reviewer deletes a capture (now and then the
            # interview's first or last one: nothing lies beyond it)
            edge = rng.choice([min, max])(stored, key=lambda i: (i.captured_at, i.id))
            gone = edge if step % 13 == 7 else stored[rng.randrange(len(stored))]
            stored.remove(gone)
            at_gone, gone_id = gone.captured_at, gone.id
            capture_deletion_record(image=gone, actor=acme.recruiter)  # what the delete leaves
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
    assert summary.score == integrity_compute(application=app, now=now)["score"]
    assert summary.incident_count == IntegrityEvent.objects.filter(application=app).count()
    assert CameraEvent.objects.filter(application=app).count() == 5

    # A rebuild from scratch finds the same incidents: each keeps its id.
    ids = _ids(app)
    integrity_rebuild(application_id=app.id, now=now)
    assert _ids(app) == ids, f"seed {seed}"
    assert IntegritySummary.objects.get(application=app).score == summary.score


STEPS = 160


@pytest.mark.parametrize("seed", range(3))
def test_an_interview_taken_in_order_matches_a_full_recompute(acme, seed, monkeypatch):
    """What a real interview mostly is: each capture analysed soon after it was taken, newest
    last — the case `_newest_frame_update` takes the short way for. Flags come in runs (an
    episode goes on, ends, another starts), the identity in runs; now and then the camera
    goes off and on, a capture is missed (a silence), arrives late, is analysed long after it
    was taken (a backlog: a silence up to now, closed by the next ones), analysed twice (a task
    run again) or again with another flag (its predecessor changed), someone else adds one;
    near the end a reviewer deletes captures (the short way stops for the interview). After
    every update the short way made, the stored incidents equal a recompute from scratch —
    and a third of the updates or more took it (else this test would not test it)."""
    from monitoring.integrity import services

    taken = []
    original = services._newest_frame_update
    monkeypatch.setattr(
        services,
        "_newest_frame_update",
        lambda *args, **kwargs: taken.append(original(*args, **kwargs)) or taken[-1],
    )
    rng = random.Random(1000 + seed)
    app = acme.application
    t0 = timezone.now() - timedelta(hours=2)
    app.started_at, app.camera_interval = t0, 10
    app.save()
    event = CameraEventFactory(application=app, kind="on", occurred_at=t0)
    integrity_camera_changed(camera_event_id=event.id, now=t0)

    at, flag, identity, images = t0, None, None, []
    clock = t0  # the updates' now: it never goes back (a backlog moves it ahead)

    checked = [0]

    def check(step):
        """After each update the short way made (the windows' own updates are held to the
        recompute by the test above: from a right state they leave a right one), every
        fifth step whatever made it, and at the end — a recompute per step made this test
        quadratic and a minute long."""
        short = len(taken) > checked[0] and taken[-1] is not None
        checked[0] = len(taken)
        if short or step % 5 == 0 or step == STEPS - 1:
            assert _stored(app) == _computed(app, clock), f"seed {seed}, step {step}"

    for step in range(STEPS):
        at += timedelta(seconds=10 + rng.randint(-2, 2))
        roll = rng.random()
        if roll < 0.03:  # the camera goes off for a minute, then on again
            for kind in ("off", "on"):
                clock = max(clock, at)
                event = CameraEventFactory(application=app, kind=kind, occurred_at=at)
                integrity_camera_changed(camera_event_id=event.id, now=clock)
                check(step)
                at += timedelta(seconds=60)
        elif roll < 0.06:  # captures missed: a silence
            at += timedelta(seconds=rng.choice([15, 40, 90]))
        if rng.random() < 0.15:
            flag = rng.choice(FLAGS)
        if rng.random() < 0.1:
            identity = rng.choice(IDENTITY)
        if rng.random() < 0.03:  # someone else's capture: shown, never counted
            image = MonitoringImageFactory(
                application=app, captured_at=at, uploaded_by=acme.recruiter
            )
            _analyse(image, rng.choice(FLAGS))
            integrity_frame_changed(image_id=image.id, now=clock)
            check(step)
            continue
        late = rng.random() < 0.04  # a capture taken minutes ago, held by a network outage
        taken_at = at - timedelta(seconds=rng.randint(60, 180)) if late else at
        received = at + timedelta(seconds=1)
        if not late:  # (a late one's update leaves the silence after the newest capture to
            # the gap sweep: the check runs at the last on-time update's clock)
            clock = max(clock, received + timedelta(seconds=2))
            if rng.random() < 0.05:  # a backlog: the analysis runs long after the capture
                clock += timedelta(seconds=rng.randint(25, 60))
        image = MonitoringImageFactory(
            application=app, captured_at=taken_at, received_at=received, late=late
        )
        images.append(image)
        _analyse(image, flag, identity)
        integrity_frame_changed(image_id=image.id, image=image, now=clock)
        check(step)
        if rng.random() < 0.05:  # the task ran twice
            integrity_frame_changed(image_id=image.id, now=clock)
            check(step)
        if rng.random() < 0.05:  # analysed again: its predecessor changed its comparison
            _analyse(image, rng.choice(FLAGS), identity)
            integrity_frame_changed(image_id=image.id, now=clock)
            check(step)
        if step > 140 and rng.random() < 0.2:  # a reviewer deletes a capture
            gone = images.pop(rng.randrange(len(images)))
            gone_at, gone_id = gone.captured_at, gone.id
            capture_deletion_record(image=gone, actor=acme.recruiter)
            gone.delete()
            integrity_frame_removed(application=app, at=gone_at, image_id=gone_id, now=clock)
            check(step)
    summary = IntegritySummary.objects.get(application=app)  # moved by each change, in place
    assert summary.score == integrity_compute(application=app, now=clock)["score"]
    assert summary.incident_count == IntegrityEvent.objects.filter(application=app).count()
    short = sum(result is not None for result in taken)
    assert short >= len(taken) / 3, f"the short way taken {short} times of {len(taken)}"
    assert any(taken), "no episode was continued the short way"


def _ids(app):
    return {
        row.id: (row.type, row.started_at) for row in IntegrityEvent.objects.filter(application=app)
    }


# --- An incident is one thing from its first frame to the end of its evidence -----------------


def _frame(app, at, flag):
    image = MonitoringImageFactory(application=app, captured_at=at)
    _analyse(image, flag)
    integrity_frame_changed(image_id=image.id, now=at)
    return image


@pytest.fixture
def frames_only(acme):
    app = acme.application
    app.started_at = timezone.now() - timedelta(minutes=30)
    app.camera_monitoring = False  # no gaps: frame flags alone
    app.save()
    return app


def _delete(image, reviewer, now):
    """A reviewer's delete, as the service records it (the slot stays), then the update."""
    at, image_id = image.captured_at, image.id
    capture_deletion_record(image=image, actor=reviewer)
    image.delete()
    integrity_frame_removed(application=image.application, at=at, image_id=image_id, now=now)


def test_an_incident_keeps_its_id_while_it_grows_shrinks_and_is_rescored(frames_only, acme):
    app, reviewer = frames_only, acme.recruiter
    t0 = app.started_at + timedelta(minutes=1)
    images = [_frame(app, t0 + timedelta(seconds=10 * i), "no_face") for i in range(3)]
    (incident,) = IntegrityEvent.objects.filter(application=app)
    assert incident.frame_count == 3

    images.append(_frame(app, t0 + timedelta(seconds=30), "no_face"))  # grows
    images.append(_frame(app, t0 + timedelta(seconds=40), None))  # ends
    (grown,) = IntegrityEvent.objects.filter(application=app)
    assert (grown.id, grown.frame_count, grown.ongoing) == (incident.id, 4, False)

    first = images.pop(0)  # a reviewer deletes its first frame: it shrinks from the left
    _delete(first, reviewer, t0)
    (shrunk,) = IntegrityEvent.objects.filter(application=app)
    assert (shrunk.id, shrunk.frame_count) == (incident.id, 3)
    assert shrunk.started_at == images[0].captured_at

    _delete(images[1], reviewer, t0)  # its evidence goes below the rule: it is gone
    assert not IntegrityEvent.objects.filter(application=app).exists()


def test_finishing_keeps_the_ids_and_closes_what_was_ongoing(
    frames_only, acme, django_capture_on_commit_callbacks
):
    from applications.services import application_finish

    app = frames_only
    t0 = app.started_at + timedelta(minutes=1)
    for i in range(3):
        _frame(app, t0 + timedelta(seconds=10 * i), "multiple_faces")
    for i in range(3, 6):
        _frame(app, t0 + timedelta(seconds=10 * i), "no_face")
    before = {row.type: row for row in IntegrityEvent.objects.filter(application=app)}
    assert before["no_face"].ongoing

    with django_capture_on_commit_callbacks(execute=True):  # the rebuild runs after commit
        application_finish(actor=acme.candidate, application=app)
    after = {row.type: row for row in IntegrityEvent.objects.filter(application=app)}
    assert {t: r.id for t, r in after.items()} == {t: r.id for t, r in before.items()}
    assert not after["no_face"].ongoing


def test_a_rule_change_that_keeps_the_episode_keeps_its_id(frames_only, acme):
    from monitoring.models import IntegrityRules

    app = frames_only
    t0 = app.started_at + timedelta(minutes=1)
    for i in range(4):
        _frame(app, t0 + timedelta(seconds=10 * i), "camera_covered")
    _frame(app, t0 + timedelta(seconds=40), None)
    (incident,) = IntegrityEvent.objects.filter(application=app)
    rules = IntegrityRules.objects.create(
        organization=acme.organization, sustain_frames=3, weights={"camera_covered": 20}
    )
    integrity_rebuild(application_id=app.id)
    (kept,) = IntegrityEvent.objects.filter(application=app)
    assert kept.id == incident.id
    assert IntegritySummary.objects.get(application=app).score == 80  # re-scored in place

    rules.sustain_frames, rules.sustain_seconds = 5, 600
    rules.save()
    integrity_rebuild(application_id=app.id)
    assert not IntegrityEvent.objects.filter(application=app).exists()  # no longer an episode
    assert IntegritySummary.objects.get(application=app).score == 100
