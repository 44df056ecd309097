"""What cameras does when the applications below it change (signals, no reverse import)."""

from django.dispatch import receiver

from applications.models import JobApplication
from applications.signals import application_status_changed, consent_recorded

from . import proctoring, watch
from .services import camera_stream_stop

ENDED = {
    JobApplication.Status.COMPLETED,
    JobApplication.Status.WITHDRAWN,
    JobApplication.Status.TERMINATED,
}


@receiver(application_status_changed, dispatch_uid="cameras.stop_on_end")
def stop_when_the_interview_ends(sender, *, application, new, at, **kwargs) -> None:
    if new in ENDED:
        _end_watches(application)
        camera_stream_stop(user=application.candidate, application_id=application.pk, now=at)
    if new == JobApplication.Status.TERMINATED:
        proctoring.interview_ended_announce(application=application)


@receiver(consent_recorded, dispatch_uid="cameras.stop_on_withdrawal")
def stop_when_consent_is_withdrawn(sender, *, application, action, **kwargs) -> None:
    if action == "withdrawn":
        _end_watches(application)
        camera_stream_stop(user=application.candidate, application_id=application.pk)


def _end_watches(application) -> None:
    """Finishing or withdrawing the interview, or withdrawing consent, ends every live watch."""
    watch.relay_after_commit(
        watch.watches_end_for_candidate(
            candidate_id=application.candidate_id,
            application_id=application.pk,
            reason=watch.Reason.INTERVIEW_ENDED,
        )
    )
