"""The events of the apps below, turned into webhooks (integrations/events.py). Each
receiver runs inside the transaction of the change it hears of, so the outbox messages it
writes commit with that change or not at all.

The hook for the features that land next (identity.mismatch, decision.made,
candidate.responded): the feature sends a signal of its own app, inside the transaction of
its change, and gets one receiver here, e.g.

    @receiver(decision_made, dispatch_uid="integrations.decision_made")
    def on_decision_made(sender, *, application_id, at, outcome, state, **kwargs) -> None:
        services.application_event_emit(
            event_type=events.DECISION_MADE,
            application_id=application_id,
            at=at,
            data={"outcome": outcome, "state": state},
        )

(the data each event carries is named in integrations/events.py).
"""

from django.dispatch import receiver

from applications.models import JobApplication
from applications.signals import (
    application_status_changed,
    candidate_responded,
    decision_made,
    recording_began,
)
from monitoring.signals import erasure_completed, incident_opened

from . import events, services

Status = JobApplication.Status


@receiver(application_status_changed, dispatch_uid="integrations.status")
def on_status_changed(sender, *, application, new, at, **kwargs) -> None:
    """Started by the candidate → interview.started; completed, or withdrawn after it had
    started, or ended by a reviewer → interview.finished."""
    if new == Status.IN_PROGRESS:
        services.interview_started_emit(
            application_id=application.pk, at=at, started_by="candidate"
        )
    elif new in (Status.COMPLETED, Status.WITHDRAWN, Status.TERMINATED):
        services.interview_finished_emit(application=application, at=at)


@receiver(recording_began, dispatch_uid="integrations.recording_began")
def on_recording_began(sender, *, application_id, at, **kwargs) -> None:
    """An interview opened in progress started at its first recording."""
    services.interview_started_emit(
        application_id=application_id, at=at, started_by="first_recording"
    )


@receiver(incident_opened, dispatch_uid="integrations.incident_opened")
def on_incident_opened(sender, *, application, incidents, **kwargs) -> None:
    services.incidents_opened_emit(application=application, incidents=incidents)


@receiver(erasure_completed, dispatch_uid="integrations.erasure_completed")
def on_erasure_completed(sender, *, job, organizations, **kwargs) -> None:
    services.erasure_completed_emit(job=job, organizations=organizations)


@receiver(decision_made, dispatch_uid="integrations.decision_made")
def on_decision_made(sender, *, application_id, at, outcome, state, **kwargs) -> None:
    """A decision became final (recorded, or confirmed by the second reviewer)."""
    services.application_event_emit(
        event_type=events.DECISION_MADE,
        application_id=application_id,
        at=at,
        data={"outcome": outcome, "state": state},
    )


@receiver(candidate_responded, dispatch_uid="integrations.candidate_responded")
def on_candidate_responded(sender, *, application, response, **kwargs) -> None:
    """The candidate answered a final decision (the text stays in Invigil)."""
    services.application_event_emit(
        event_type=events.CANDIDATE_RESPONDED,
        application_id=application.pk,
        at=response.created_at,
        data={"decision_outcome": response.decision.outcome if response.decision else None},
    )
