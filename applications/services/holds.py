"""Legal holds: an interview under hold keeps everything recorded (retention and erasure skip
it). Admins place and lift them; each change is audited (monitoring hears the signal)."""

from django.db import transaction

from accounts.models import User
from applications.models import JobApplication
from applications.signals import legal_hold_changed
from common.errors import NotAllowed


def application_legal_hold_set(*, actor: User, application: JobApplication, hold: bool) -> bool:
    """Place the interview under legal hold (`hold`) or lift it. Returns whether it changed."""
    if not actor.is_admin_role:
        raise NotAllowed("Only admins may place or lift a legal hold.")
    with transaction.atomic():
        application = JobApplication.objects.lock(application.pk)
        if application is None or application.legal_hold == hold:
            return False
        application.legal_hold = hold
        application.save(update_fields=["legal_hold"])
        legal_hold_changed.send(
            sender=JobApplication, application=application, actor=actor, hold=hold
        )
    return True
