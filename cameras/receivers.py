"""What cameras does when the applications below it change (signals, no reverse import)."""

from django.dispatch import receiver

from applications.models import JobApplication
from applications.signals import application_status_changed, consent_recorded

from .services import camera_stream_stop

ENDED = {JobApplication.Status.COMPLETED, JobApplication.Status.WITHDRAWN}


@receiver(application_status_changed, dispatch_uid="cameras.stop_on_end")
def stop_when_the_interview_ends(sender, *, application, new, at, **kwargs) -> None:
    if new in ENDED:
        camera_stream_stop(user=application.candidate, application_id=application.pk, now=at)


@receiver(consent_recorded, dispatch_uid="cameras.stop_on_withdrawal")
def stop_when_consent_is_withdrawn(sender, *, application, action, **kwargs) -> None:
    if action == "withdrawn":
        camera_stream_stop(user=application.candidate, application_id=application.pk)
