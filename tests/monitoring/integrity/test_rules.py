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


# --- Identity: its own track of the same frames ------------------------------------------------


def _identity_frames(*values, flags=()):
    """Frames with an identity value each (None: not compared yet) and the same other flags."""
    return [
        integrity.Frame(i, T0 + timedelta(seconds=15 * i), tuple(flags), value)
        for i, value in enumerate(values)
    ]


def test_sustained_strangers_make_an_identity_mismatch():
    (incident,) = integrity.frame_incidents(
        _identity_frames(False, True, True, False), RULES, open_end=False
    )
    assert incident.type == "identity_mismatch" and incident.image_ids == [1, 2]
    assert incident.reason.startswith("Face does not match the selfie from 10:02:15 to")


def test_frames_not_compared_yet_neither_split_nor_extend_a_mismatch():
    (incident,) = integrity.frame_incidents(
        _identity_frames(True, None, True, None), RULES, open_end=True
    )
    assert incident.image_ids == [0, 2] and incident.ongoing


def test_a_frame_can_be_several_faces_and_not_the_candidate_at_once():
    frames = _identity_frames(True, True, flags=["multiple_faces"])
    assert sorted(i.type for i in integrity.frame_incidents(frames, RULES, open_end=False)) == [
        "identity_mismatch",
        "multiple_faces",
    ]


def test_identity_off_makes_no_identity_incident():
    rules = integrity.Rules(2, 20, 10, 10, {}, identity=False)
    assert integrity.frame_incidents(_identity_frames(True, True), rules, open_end=False) == []


def test_each_earlier_interview_with_another_face_is_its_own_incident():
    earlier = [
        integrity.EarlierSelfie(7, "Screening", T0 - timedelta(days=20), 0.83),
        integrity.EarlierSelfie(5, "Phone call", T0 - timedelta(days=30), 0.41),
        integrity.EarlierSelfie(9, "Take-home", T0 - timedelta(days=10), 0.61),
    ]
    incidents = integrity.identity_changed_incidents(T0, earlier, threshold=0.6)
    assert [i.earlier_application_id for i in incidents] == [7, 9]
    assert incidents[0].started_at == incidents[0].ended_at == T0
    assert "“Screening” on 2026-11-03 (distance 0.83)" in incidents[0].reason
    assert integrity.identity_changed_incidents(None, earlier, threshold=0.6) == []
