"""Sustained incidents and the integrity score: pure functions over plain data.

A single bad frame is not an incident. A frame flag becomes one when it holds for
`sustain_frames` consecutive analysed camera frames or `sustain_seconds`; frames not analysed
yet neither break nor extend a run, so tasks finishing out of order cannot split an episode.
Page events and camera history give interval incidents (tab hidden, window blurred, screen
sharing stopped, camera off) and silences between camera snapshots give snapshot gaps. A
silence that late captures fill (they arrived long after they were taken) is a `late_upload`
instead: the server's own clock decides what arrived when.

Identity is its own track of the same frames: a frame whose faces (one or several) all differ
from the candidate's selfie is an `identity_mismatch` frame, sustained like a flag; a frame not
compared yet (no selfie so far) is "not analysed" on that track, whatever its other flags. A
selfie that differs from the selfie of an earlier interview of the same candidate is an
`identity_changed_since` incident of its own, naming that interview. A camera turned on whose
label names a virtual camera is a `virtual_camera` incident at that instant.

Score: 100 minus, for every incident, its type's weight per started minute (at least one);
never below 0. The weights and rules are per organization (IntegrityRules) and are returned
with every summary so the score can be checked by hand.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from monitoring.labels import INCIDENT_LABELS as LABELS

FRAME_FLAGS = ("camera_covered", "frozen_frame", "no_face", "multiple_faces")
IDENTITY_MISMATCH = "identity_mismatch"
IDENTITY_CHANGED = "identity_changed_since"
VIRTUAL_CAMERA = "virtual_camera"
# Incidents of one instant (no episode): their points are their type's weight, once.
INSTANT_KINDS = (IDENTITY_CHANGED, VIRTUAL_CAMERA)
# Frame runs come in tracks: the analysis flags (at most one per frame), and identity.
TRACKS = {"frame": FRAME_FLAGS, "identity": (IDENTITY_MISMATCH,)}
FRAME_KINDS = (*FRAME_FLAGS, IDENTITY_MISMATCH)  # incidents made of frame runs
GAP_KINDS = ("snapshot_gap", "late_upload")
# Page events that end an episode: sent late, they count from when they arrived, so that a
# late event can never make an episode shorter than what the server saw.
PAGE_CLOSING = frozenset({"tab_visible", "window_focus", "screen_share_started"})
IMAGE_IDS_KEPT = 20  # an incident names its first frames, for a reviewer to open


@dataclass(frozen=True)
class Rules:
    sustain_frames: int
    sustain_seconds: int
    tab_hidden_seconds: int
    window_blur_seconds: int
    weights: dict
    identity: bool = True  # the organization matches faces (identity_check not "off")
    identity_threshold: float = 0.6
    checks_off: frozenset = frozenset()  # this interview's accommodations: types not made


def without_checks_off(incidents: list["Incident"], rules: Rules) -> list["Incident"]:
    """Checks turned off for an interview (an accommodation) make no incidents."""
    if not rules.checks_off:
        return incidents
    return [i for i in incidents if i.type not in rules.checks_off]


@dataclass(frozen=True)
class Frame:
    image_id: int
    at: datetime
    flags: tuple | None  # None: not analysed yet
    identity: bool | None = None  # True: faces seen, none is the selfie's; None: not compared


@dataclass(frozen=True)
class EarlierSelfie:
    """The candidate's selfie of an earlier interview in the same organization."""

    application_id: int
    job: str
    at: datetime
    distance: float


@dataclass(frozen=True)
class Event:
    type: str
    at: datetime


@dataclass(frozen=True)
class LateFrame:
    """A capture received long after it was taken: it fills a gap only as a late upload."""

    at: datetime
    received_at: datetime


@dataclass
class Incident:
    type: str
    started_at: datetime
    ended_at: datetime
    ongoing: bool = False
    image_ids: list = field(default_factory=list)
    reason: str = ""
    frame_count: int = 0
    earlier_application_id: int | None = None  # identity_changed_since: which interview
    id: int | None = None  # the stored incident's id (stable while it grows or shrinks)
    points: int | None = None  # what it costs the score (set where a report is made)
    verdict: object = None  # the reviewer's verdict in force (IncidentVerdict), if any

    @property
    def duration_seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


def _hms(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%H:%M:%S")


def _hm(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%H:%M")


def _seconds(value: float) -> str:
    value = math.floor(value + 0.5)  # half up, as pages and the report round
    return f"{value} s" if value < 120 else f"{value // 60} min {value % 60} s"


def describe(
    incident: Incident, *, interval: int | None = None, arrived_at: datetime | None = None
) -> str:
    """The plain-words reason of an incident, from its type and times (one wording), in UTC
    and saying so: the stored text is for the CSV and the logs. Pages render an incident from
    its fields in the reader's own zone."""
    label = LABELS[incident.type]
    start, end = incident.started_at, incident.ended_at
    if incident.type in INSTANT_KINDS:
        return incident.reason or label
    if incident.type in FRAME_KINDS:
        n = incident.frame_count
        span = (
            f"from {_hms(start)} UTC (ongoing)"
            if incident.ongoing
            else (f"from {_hms(start)} to {_hms(end)} UTC")
        )
        return f"{label} {span}, {n} frame{'' if n == 1 else 's'}"
    if incident.type == "late_upload":
        arrived = f" arrived at {_hm(arrived_at)} UTC" if arrived_at else " arrived late"
        return f"Captures from {_hm(start)}–{_hm(end)} UTC{arrived} — network outage?"
    span = (
        f"since {_hms(start)} UTC" if incident.ongoing else f"from {_hms(start)} to {_hms(end)} UTC"
    )
    text = f"{label} {span} ({_seconds(incident.duration_seconds)}"
    if incident.type == "snapshot_gap" and interval:
        text += f"; expected every {interval} s"
    return text + ")"


def capture_is_late(
    captured_at: datetime, received_at: datetime, *, interval: int, slack: int
) -> bool:
    """Received more than 2× the capture interval + slack after it was taken."""
    return received_at - captured_at > timedelta(seconds=2 * interval + slack)


def event_counted_at(
    type: str, occurred_at: datetime, received_at: datetime, *, slack: int
) -> tuple[bool, datetime]:
    """(late, the time the rules count the event at)."""
    late = received_at - occurred_at > timedelta(seconds=slack)
    return late, received_at if late and type in PAGE_CLOSING else occurred_at


def sustained(first: datetime, last: datetime, count: int, rules: Rules) -> bool:
    return count >= rules.sustain_frames or (last - first).total_seconds() >= rules.sustain_seconds


def track_flag(frame: Frame, track: str) -> tuple[bool, str | None]:
    """(known on this track, its flag or None)."""
    if track == "identity":
        return frame.identity is not None, IDENTITY_MISMATCH if frame.identity else None
    if frame.flags is None:
        return False, None
    return True, next((f for f in FRAME_FLAGS if f in frame.flags), None)


def frame_runs(frames: list[Frame], track: str = "frame") -> list[tuple[str | None, list[Frame]]]:
    """The frames known on `track`, in capture order, cut into runs of the same flag (None: no
    flag).

    A frame carries at most one flag per track (the checks run in order and stop at the
    first), so runs of different flags of a track never share a frame.
    """
    known = [(f, flag) for f in frames for ok, flag in [track_flag(f, track)] if ok]
    known.sort(key=lambda pair: (pair[0].at, pair[0].image_id))
    runs: list[tuple[str | None, list[Frame]]] = []
    for frame, flag in known:
        if runs and runs[-1][0] == flag:
            runs[-1][1].append(frame)
        else:
            runs.append((flag, [frame]))
    return runs


def frame_incidents(frames: list[Frame], rules: Rules, *, open_end: bool) -> list[Incident]:
    incidents = []
    for track in TRACKS:
        if track == "identity" and not rules.identity:
            continue
        incidents += _track_incidents(frame_runs(frames, track), rules, open_end=open_end)
    return incidents


def _track_incidents(runs, rules: Rules, *, open_end: bool) -> list[Incident]:
    last = runs[-1][1][-1] if runs else None
    incidents = []
    for flag, run in runs:
        if flag is None or not sustained(run[0].at, run[-1].at, len(run), rules):
            continue
        incident = Incident(
            flag,
            run[0].at,
            run[-1].at,
            ongoing=open_end and run[-1] is last,
            image_ids=[f.image_id for f in run[:IMAGE_IDS_KEPT]],
            frame_count=len(run),
        )
        incident.reason = describe(incident)
        incidents.append(incident)
    return incidents


def interval_incidents(
    events: list[Event],
    *,
    start: set[str],
    end: set[str],
    kind: str,
    min_seconds: float,
    now: datetime,
    open_end: bool,
    window: tuple[datetime | None, datetime | None] = (None, None),
) -> list[Incident]:
    """Episodes from a start event to the next end event (or now, while in progress)."""
    lo, hi = window
    incidents = []
    opened = None
    for event in sorted(events, key=lambda e: e.at):
        if (lo and event.at < lo) or (hi and event.at > hi):
            continue
        if event.type in start and opened is None:
            opened = event.at
        elif event.type in end and opened is not None:
            incidents.append(Incident(kind, opened, event.at))
            opened = None
    if opened is not None:
        closing = now if open_end else (hi or opened)
        incidents.append(Incident(kind, opened, closing, ongoing=open_end))
    kept = [i for i in incidents if i.duration_seconds >= min_seconds]
    for incident in kept:
        incident.reason = describe(incident)
    return kept


def snapshot_gaps(
    frame_times: list[datetime],
    live: list[tuple[datetime, datetime]],
    *,
    interval: int,
    open_end: bool,
    now: datetime,
    late: list[LateFrame] = (),
) -> list[Incident]:
    """Silences longer than 2× the camera interval while the camera stream was live.

    `frame_times` are the captures that arrived on time; `late` ones cannot close a gap by
    themselves: a gap they fill becomes one `late_upload` (lighter), and only the stretches
    that nothing filled remain snapshot gaps.
    """
    limit = timedelta(seconds=2 * interval)
    incidents = []
    times = sorted(frame_times)
    late = sorted(late, key=lambda f: f.at)
    for on, off in live:
        marks = [on, *[t for t in times if on <= t <= off], off]
        for a, b in pairwise(marks):
            if b - a <= limit:
                continue
            filled = [f for f in late if a < f.at < b]
            for x, y in pairwise([a, *[f.at for f in filled], b]):
                if y - x > limit:
                    ongoing = open_end and y == b == off == now
                    gap = Incident("snapshot_gap", x, y, ongoing)
                    gap.reason = describe(gap, interval=interval)
                    incidents.append(gap)
            if filled:
                arrived = max(f.received_at for f in filled)
                upload = Incident("late_upload", filled[0].at, filled[-1].at)
                upload.frame_count = len(filled)
                upload.reason = describe(upload, arrived_at=arrived)
                incidents.append(upload)
    return incidents


def identity_changed_incidents(
    selfie_at: datetime | None, earlier: list[EarlierSelfie], *, threshold: float
) -> list[Incident]:
    """One incident per earlier interview whose selfie is not this selfie's person."""
    incidents = []
    if selfie_at is None:
        return incidents
    for other in sorted(earlier, key=lambda e: e.application_id):
        if other.distance <= threshold:
            continue
        incident = Incident(
            IDENTITY_CHANGED, selfie_at, selfie_at, earlier_application_id=other.application_id
        )
        incident.reason = (
            f"{LABELS[IDENTITY_CHANGED]}: the selfie differs from the one of “{other.job}” on "
            f"{other.at:%Y-%m-%d} (distance {other.distance:.2f})"
        )[:300]
        incidents.append(incident)
    return incidents


def virtual_camera_incidents(events: list[tuple[datetime, str]]) -> list[Incident]:
    """One incident per camera-on with a virtual camera: (when, the label the page reported)."""
    incidents = []
    for at, detail in sorted(events, key=lambda e: e[0]):
        incident = Incident(VIRTUAL_CAMERA, at, at)
        incident.reason = f"{LABELS[VIRTUAL_CAMERA]}: {detail}, turned on at {_hms(at)} UTC"[:300]
        incidents.append(incident)
    return incidents


def _subtract(
    start: datetime, end: datetime, gaps: list[tuple[datetime, datetime | None]]
) -> list[tuple[datetime, datetime]]:
    """[start, end] minus every gap [lo, hi) (hi None: still going on)."""
    pieces = [(start, end)]
    for lo, hi in gaps:
        rest = []
        for a, b in pieces:
            if b <= lo or (hi is not None and a >= hi):
                rest.append((a, b))
                continue
            if a < lo:
                rest.append((a, lo))
            if hi is not None and b > hi:
                rest.append((hi, b))
        pieces = rest
    return pieces


def outside_gaps(
    incidents: list[Incident],
    gaps: list[tuple[datetime, datetime | None]],
    *,
    min_seconds: dict[str, float],
    interval: int | None = None,
) -> list[Incident]:
    """The incidents with the time the candidate's consent was withdrawn taken out: the notice
    promises they may withdraw at any time, so that time counts for nothing. An incident
    across a withdrawal splits around it; a piece shorter than its kind's minimum
    (`min_seconds`; a snapshot gap must still be longer than it) is not an incident. Frame
    incidents never lie in a withdrawal: nothing is recorded then (nor a selfie taken)."""
    if not gaps:
        return incidents
    kept = []
    for incident in incidents:
        if incident.type in FRAME_KINDS or incident.type in ("late_upload", *INSTANT_KINDS):
            kept.append(incident)
            continue
        pieces = _subtract(incident.started_at, incident.ended_at, gaps)
        minimum = min_seconds.get(incident.type, 0)
        for start, end in pieces:
            seconds = (end - start).total_seconds()
            if seconds < minimum or (incident.type == "snapshot_gap" and seconds <= minimum):
                continue
            piece = Incident(
                incident.type,
                start,
                end,
                ongoing=incident.ongoing and end == incident.ended_at,
                frame_count=incident.frame_count,
                image_ids=list(incident.image_ids),
            )
            piece.reason = describe(piece, interval=interval)
            kept.append(piece)
    return kept


def incident_points(incident: Incident, weights: dict) -> int:
    minutes = max(1, math.ceil(incident.duration_seconds / 60))
    return weights.get(incident.type, 0) * minutes


def score(incidents: list[Incident], weights: dict) -> tuple[int, dict]:
    """The 0–100 score and the per-type summary it was computed from."""
    summary: dict[str, dict] = {}
    penalty = 0
    for incident in incidents:
        points = incident_points(incident, weights)
        penalty += points
        entry = summary.setdefault(
            incident.type,
            {"count": 0, "duration_seconds": 0.0, "points": 0, "label": LABELS[incident.type]},
        )
        entry["count"] += 1
        entry["duration_seconds"] += incident.duration_seconds
        entry["points"] += points
    return max(0, 100 - penalty), summary
