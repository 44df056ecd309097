"""Deleting outside an erasure — the admin, or a cascade from a job, an organization or a
candidate — still reaches the erase service: no stored object is left behind."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.models import User
from applications.models import JobApplication

from .services import application_deleted, scrub_audit


@receiver(pre_delete, sender=JobApplication, dispatch_uid="monitoring.privacy.application")
def on_application_deleted(sender, instance: JobApplication, **kwargs) -> None:
    application_deleted(application=instance)


@receiver(pre_delete, sender=User, dispatch_uid="monitoring.privacy.user")
def on_user_deleted(sender, instance: User, **kwargs) -> None:
    """The audit keeps what the user did, not from where."""
    scrub_audit(user_id=instance.pk, username=instance.username)
