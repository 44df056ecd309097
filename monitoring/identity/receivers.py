"""An organization's identity settings changed (the admin): what was matched follows them."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import Organization
from common import pipeline
from monitoring import followups

_FIELDS = ("identity_check", "identity_threshold")


@receiver(pre_save, sender=Organization, dispatch_uid="monitoring.identity.before")
def before_organization_saved(sender, instance: Organization, **kwargs) -> None:
    stored = Organization.objects.filter(pk=instance.pk).values_list(*_FIELDS).first()
    instance._identity_before = stored


@receiver(post_save, sender=Organization, dispatch_uid="monitoring.identity.after")
def on_organization_saved(sender, instance: Organization, created: bool, **kwargs) -> None:
    """A new threshold re-judges every compared frame (their distances are kept); checks
    switched on or off add or drop the identity incidents — after the commit."""
    before = getattr(instance, "_identity_before", None)
    if created or before is None:
        return
    if before != tuple(getattr(instance, name) for name in _FIELDS):
        pipeline.enqueue(followups.IDENTITY_SETTINGS_CHANGED, instance.pk)
