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

# A reviewer recorded, confirmed (second review) or reopened a decision (audited above).
# kwargs: application, decision (Decision), actor (User | None), action ("recorded" |
# "confirmed" | "reopened"), info (common.http.RequestInfo)
decision_changed = Signal()

# A decision became final: recorded without a second review, or confirmed by the second
# reviewer (the `decision.made` webhook).
# kwargs: application_id, at, outcome, state
decision_made = Signal()

# The candidate answered a final decision (the `candidate.responded` webhook, the audit).
# kwargs: application, response (CandidateResponse), info (common.http.RequestInfo)
candidate_responded = Signal()
