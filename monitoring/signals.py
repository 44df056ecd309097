"""What monitoring tells the floors above it (integrations), without importing them.

Sent inside the transaction that made the change, so a receiver's writes (an outbox message)
commit or roll back with it.
"""

from django.dispatch import Signal

# New incidents were stored: each incident id is in exactly one of these, sent when its row
# is created (an incident that grows, shrinks or is re-scored keeps its id and is not
# announced again). One signal per change, however many incidents it opened.
# kwargs: application (JobApplication), incidents (list of IntegrityEvent, never empty)
incident_opened = Signal()

# An erasure job finished (asked for, retention, an admin's delete): every interview it covers
# is gone (or, for retention, its recording is).
# kwargs: job (ErasureJob, state done), organizations ({application_id: organization_id} of
# the interviews it covered, read before their rows went)
erasure_completed = Signal()

# The interview's incidents changed: what else its board card shows that depends on them.
# Each receiver returns {field: value} of cameras.services.camera_stream_incident's keyword
# arguments (identity: its state), sent with the incident in one card update.
# kwargs: application (JobApplication)
board_card_fields = Signal()
