"""The pure integrity rules: sustained episodes, intervals, gaps and the score."""

from datetime import UTC, datetime, timedelta

from monitoring.integrity import rules as integrity

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
    assert incident.reason == "No face visible from 10:02:15 to 10:02:30 UTC, 2 frames"


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
        (35.0, "Interview tab hidden from 10:03:00 to 10:03:35 UTC (35 s)")
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
