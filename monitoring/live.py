"""The open review timelines of an interview hear what changed in its record, as it happens.

A message is a hint, not the data: `{"type": "timeline.changed", "what": "captures" | "events"
| "integrity" | "notes" | "decision", "at": ISO time or null}`. The page reads what changed
through the same HTTP API (and the same scoping and signed URLs) as on load, so a missed hint
costs only freshness — and a reconnecting page re-reads everything. Sent after the commit
(common.pipeline.group_send).
"""

from datetime import datetime

from common import pipeline
from common.time import iso_utc

WHAT = ("captures", "events", "integrity", "notes", "decision")


def timeline_group(application_id: int) -> str:
    """The channel-layer group of an interview's open timelines (monitoring.consumers)."""
    return f"monitoring.timeline.{application_id}"


def timeline_changed(application_id: int, what: str, *, at: datetime | None = None) -> None:
    """Tell the interview's open timelines that `what` changed (around `at`, if known)."""
    assert what in WHAT, what
    pipeline.group_send(
        timeline_group(application_id),
        {"type": "timeline.changed", "what": what, "at": iso_utc(at) if at else None},
    )
