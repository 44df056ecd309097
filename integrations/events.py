"""The webhook event types, once (README "Integrations"). A leaf module: it imports nothing.

Every event is `{"type", "timestamp", "data": {...}}` with `data.application_id`; payloads
carry ids and what a receiver needs to decide whether to fetch more through the API — never
images, signed URLs or names.

Built now (integrations/receivers.py turns the lower apps' signals into these):

- `interview.started` — the candidate started the interview (`data.started_by`: "candidate"),
  or an interview opened in progress had its first recording ("first_recording"); sent once,
  when `started_at` is stamped.
- `interview.finished` — the interview ended: completed by the candidate, or withdrawn by a
  reviewer after it had started, or ended by a reviewer (`data.status`: "completed" |
  "withdrawn" | "terminated"). A withdrawal
  before anything started sends nothing: every `interview.finished` of a withdrawal follows
  an `interview.started`.
- `incident.opened` — a new incident was stored (once per incident id; one that grows keeps
  its id and is not sent again).
- `decision.made` — a reviewer's decision became final: recorded where no second review is
  needed, or confirmed by the second reviewer (`data`: application_id, outcome, state).
- `candidate.responded` — the candidate answered a final decision against them (`data`:
  application_id, decision_outcome; the answer's text stays in Invigil).
- `erasure.completed` — an interview's record was erased (on request, by retention or by an
  admin's delete); `data.receipt_id` names the receipt.

When the feature lands (the feature sends a signal inside the transaction of its change;
connect it in integrations/receivers.py with one call of `services.webhook_event_emit`,
the data named here):

- `identity.mismatch` — the candidate's face stopped matching the reference
  (`data`: application_id, incident_id, distance).
"""

INTERVIEW_STARTED = "interview.started"
INTERVIEW_FINISHED = "interview.finished"
INCIDENT_OPENED = "incident.opened"
ERASURE_COMPLETED = "erasure.completed"
IDENTITY_MISMATCH = "identity.mismatch"  # when the identity feature lands
DECISION_MADE = "decision.made"
CANDIDATE_RESPONDED = "candidate.responded"

# What `POST /api/webhook-endpoints/` accepts: every event, built or not yet, so a receiver
# can subscribe once and start hearing an event the day its feature lands.
EVENT_TYPES = (
    INTERVIEW_STARTED,
    INTERVIEW_FINISHED,
    INCIDENT_OPENED,
    IDENTITY_MISMATCH,
    DECISION_MADE,
    CANDIDATE_RESPONDED,
    ERASURE_COMPLETED,
)
EVENT_LABELS = {
    INTERVIEW_STARTED: "Interview started",
    INTERVIEW_FINISHED: "Interview finished",
    INCIDENT_OPENED: "Incident opened",
    IDENTITY_MISMATCH: "Identity mismatch (when the identity check lands)",
    DECISION_MADE: "Decision made (final)",
    CANDIDATE_RESPONDED: "Candidate answered a decision",
    ERASURE_COMPLETED: "Erasure completed",
}
# Sent only by `POST /api/webhook-endpoints/{id}/test/`, to that endpoint alone.
ENDPOINT_TEST = "webhook.test"
