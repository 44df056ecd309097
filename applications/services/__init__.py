"""State changes for jobs, applications, invitations, consent and status. Views, tasks and the
apps above call these; nothing else writes. One module per concern; the public names are
importable from here."""

from .consent import consent_give, consent_refuse, consent_withdraw, recording_check
from .decisions import decision_confirm, decision_may_decide, decision_record, decision_reopen
from .holds import application_legal_hold_set
from .invitations import (
    INVITATION_SALT,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_send,
    invitation_token,
    invitation_url,
)
from .jobs import (
    application_create,
    application_invite_notify,
    application_update,
    job_create,
    job_update,
)
from .responses import (
    answerable_decision,
    candidate_response_notify,
    candidate_response_submit,
    response_window_end,
)
from .system_check import steps_required, system_check_record
from .transitions import (
    TERMINATION_DRAIN_SECONDS,
    TRANSITIONS,
    application_finish,
    application_recording_began,
    application_start,
    application_terminate,
    application_transition,
    application_withdraw,
)

__all__ = [
    "INVITATION_SALT",
    "TERMINATION_DRAIN_SECONDS",
    "TRANSITIONS",
    "answerable_decision",
    "application_create",
    "application_finish",
    "application_invite_notify",
    "application_legal_hold_set",
    "application_recording_began",
    "application_start",
    "application_terminate",
    "application_transition",
    "application_update",
    "application_withdraw",
    "candidate_response_notify",
    "candidate_response_submit",
    "consent_give",
    "consent_refuse",
    "consent_withdraw",
    "decision_confirm",
    "decision_may_decide",
    "decision_record",
    "decision_reopen",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_send",
    "invitation_token",
    "invitation_url",
    "job_create",
    "job_update",
    "recording_check",
    "response_window_end",
    "steps_required",
    "system_check_record",
]
