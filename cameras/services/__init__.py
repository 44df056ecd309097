"""Camera presence: every change of a stream goes through here, then reaches the boards. One
module per concern — status (on, off, heartbeats), the stale sweep, board messages, the
card's snapshot and incident, history, erasure; the public names are importable from here."""

from .board import ENDED, STARTED, UPDATED, board_snapshot, stream_broadcast
from .cards import (
    camera_stream_identity,
    camera_stream_incident,
    camera_stream_snapshot,
    camera_stream_snapshot_replace,
)
from .erasure import camera_history_delete, camera_presence_erase
from .page import candidate_page_tell
from .status import (
    camera_stream_heartbeat,
    camera_stream_set_status,
    camera_stream_stop,
    camera_streams_touch,
)
from .sweep import camera_streams_end_stale

__all__ = [
    "ENDED",
    "STARTED",
    "UPDATED",
    "board_snapshot",
    "camera_history_delete",
    "camera_presence_erase",
    "camera_stream_heartbeat",
    "camera_stream_identity",
    "camera_stream_incident",
    "camera_stream_set_status",
    "camera_stream_snapshot",
    "camera_stream_snapshot_replace",
    "camera_stream_stop",
    "camera_streams_end_stale",
    "camera_streams_touch",
    "candidate_page_tell",
    "stream_broadcast",
]
