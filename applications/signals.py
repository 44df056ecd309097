"""What applications tells the floors above it, without importing them.

Sent inside the transaction that made the change, so a receiver's own writes commit or roll
back with it (receivers defer their broadcasts and tasks with on_commit).
"""

from django.dispatch import Signal

# kwargs: application (JobApplication, the new state), old, new, actor (User), at (datetime)
application_status_changed = Signal()

# kwargs: application, actor, action ("given" | "withdrawn" | "declined"), consent, ip
consent_recorded = Signal()

# An admin placed (hold=True) or lifted (hold=False) a legal hold.
# kwargs: application, actor, hold
legal_hold_changed = Signal()

# A reviewer changed an interview's monitoring settings (before recording began).
# kwargs: application, actor, changes ({field: (old, new)})
application_settings_changed = Signal()

# An interview in progress without a start had its first recording (consent given, a first
# capture, the camera on): `started_at` was stamped now (application_recording_began).
# kwargs: application_id, at
recording_began = Signal()
