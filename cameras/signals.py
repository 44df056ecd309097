"""What cameras tells the floors above it, without importing them.

`camera_event_recorded` is sent after commit for every CameraEvent (on, off, heartbeat lost):
monitoring listens to re-evaluate the interview's camera-off episodes and snapshot gaps.
"""

from django.dispatch import Signal

# kwargs: event_id, application_id (None for a stream with no application), kind, occurred_at
camera_event_recorded = Signal()
