"""Sustained incidents and the integrity score: pure functions over plain data.

A single bad frame is not an incident. A frame flag becomes one when it holds for
`sustain_frames` consecutive analysed camera frames or `sustain_seconds`; frames not analysed
yet neither break nor extend a run, so tasks finishing out of order cannot split an episode.
Page events and camera history give interval incidents (tab hidden, window blurred, screen
sharing stopped, camera off) and silences between camera snapshots give snapshot gaps.

Score: 100 minus, for every incident, its type's weight per started minute (at least one);
never below 0. The weights and rules are per organization (IntegrityRules) and are returned
with every summary so the score can be checked by hand.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from monitoring.labels import INCIDENT_LABELS as LABELS

FRAME_FLAGS = ("camera_covered", "frozen_frame", "no_face", "multiple_faces")


@dataclass(frozen=True)
class Rules:
    sustain_frames: int
    sustain_seconds: int
    tab_hidden_seconds: int
    window_blur_seconds: int
    weights: dict


@dataclass(frozen=True)
class Frame:
    image_id: int
    at: datetime
    flags: tuple | None  # None: not analysed yet


@dataclass(frozen=True)
class Event:
    type: str
    at: datetime


@dataclass
class Incident:
    type: str
    started_at: datetime
    ended_at: datetime
    ongoing: bool = False
    image_ids: list = field(default_factory=list)
    reason: str = ""

    @property
    def duration_seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def frame_count(self) -> int:
        return len(self.image_ids)


def _hms(value: datetime) -> str:
    return value.strftime("%H:%M:%S")


def _seconds(value: float) -> str:
    value = round(value)
    return f"{value} s" if value < 120 else f"{value // 60} min {value % 60} s"


def frame_incidents(frames: list[Frame], rules: Rules, *, open_end: bool) -> list[Incident]:
    analysed = sorted((f for f in frames if f.flags is not None), key=lambda f: (f.at, f.image_id))
    last = analysed[-1] if analysed else None
    incidents = []
    for flag in FRAME_FLAGS:
        run: list[Frame] = []
        for frame in [*analysed, None]:
            if frame is not None and flag in frame.flags:
                run.append(frame)
                continue
            if run and (
                len(run) >= rules.sustain_frames
                or (run[-1].at - run[0].at).total_seconds() >= rules.sustain_seconds
            ):
                ongoing = open_end and run[-1] is last
                incident = Incident(flag, run[0].at, run[-1].at, ongoing, [f.image_id for f in run])
                span = f"from {_hms(incident.started_at)}" + (
                    " (ongoing)" if ongoing else f" to {_hms(incident.ended_at)}"
                )
                incident.reason = (
                    f"{LABELS[flag]} {span}, {len(run)} frame{'' if len(run) == 1 else 's'}"
                )
                incidents.append(incident)
            run = []
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
    kept = [
        i
        for i in incidents
        if i.duration_seconds >= min_seconds or (i.ongoing and i.duration_seconds >= min_seconds)
    ]
    for incident in kept:
        span = (
            "since " + _hms(incident.started_at)
            if incident.ongoing
            else f"from {_hms(incident.started_at)} to {_hms(incident.ended_at)}"
        )
        incident.reason = f"{LABELS[kind]} {span} ({_seconds(incident.duration_seconds)})"
    return kept


def snapshot_gaps(
    frame_times: list[datetime],
    live: list[tuple[datetime, datetime]],
    *,
    interval: int,
    open_end: bool,
    now: datetime,
) -> list[Incident]:
    """Silences longer than 2× the camera interval while the camera stream was live."""
    limit = timedelta(seconds=2 * interval)
    incidents = []
    times = sorted(frame_times)
    for on, off in live:
        marks = [on, *[t for t in times if on <= t <= off], off]
        for a, b in pairwise(marks):
            if b - a > limit:
                ongoing = open_end and b == off == now
                incident = Incident("snapshot_gap", a, b, ongoing)
                span = f"since {_hms(a)}" if ongoing else f"from {_hms(a)} to {_hms(b)}"
                incident.reason = (
                    f"{LABELS['snapshot_gap']} {span} "
                    f"({_seconds((b - a).total_seconds())}; expected every "
                    f"{interval} s)"
                )
                incidents.append(incident)
    return incidents


def score(incidents: list[Incident], weights: dict) -> tuple[int, dict]:
    """The 0–100 score and the per-type summary it was computed from."""
    summary: dict[str, dict] = {}
    penalty = 0
    for incident in incidents:
        minutes = max(1, math.ceil(incident.duration_seconds / 60))
        points = weights.get(incident.type, 0) * minutes
        penalty += points
        entry = summary.setdefault(
            incident.type,
            {"count": 0, "duration_seconds": 0.0, "points": 0, "label": LABELS[incident.type]},
        )
        entry["count"] += 1
        entry["duration_seconds"] += incident.duration_seconds
        entry["points"] += points
    return max(0, 100 - penalty), summary
