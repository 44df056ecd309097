"""What cameras tells the floors above it, without importing them.

`camera_event_recorded` is sent after commit for every CameraEvent (on, off, heartbeat lost):
monitoring listens to re-evaluate the interview's camera-off episodes and snapshot gaps.
"""

from django.dispatch import Signal

# kwargs: event_id, application_id (None for a stream with no application), kind, occurred_at,
# user_id, device_label (the camera's label the page reported with camera-on, else "")
camera_event_recorded = Signal()

# A board message carried freshly signed snapshot URLs (the audit records each one).
# kwargs: snapshots (list of (storage key, application id)), actor (the viewer who asked, or
# None for a push), audience (the board groups a push went to)
snapshot_urls_signed = Signal()

# A live watch session ended (the audit records who watched whom, from when to when).
# kwargs: watch (a cameras.models.LiveWatch, ended)
live_watch_ended = Signal()

# A proctoring message, warning or hand change was stored (the audit records each one).
# kwargs: message (a cameras.models.ProctorMessage)
proctor_message_sent = Signal()
