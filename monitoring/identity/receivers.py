"""What identity hears from below: an organization's identity settings changed (the admin) —
what was matched follows them; a camera came on — with which camera."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import Organization
from cameras.models import CameraEvent
from cameras.signals import camera_event_recorded
from common import pipeline
from monitoring import followups
from monitoring.signals import board_card_fields

from .devices import camera_device_record
from .services import identity_card

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


@receiver(camera_event_recorded, dispatch_uid="monitoring.identity.camera_device")
def on_camera_event(
    sender, *, application_id, kind, occurred_at, user_id=None, device_label="", **kwargs
) -> None:
    """A camera-on with a label: is it a virtual camera? (The server decides, not the page.)"""
    if kind == CameraEvent.Kind.ON and application_id is not None and device_label:
        camera_device_record(
            application_id=application_id,
            user_id=user_id,
            device_label=device_label,
            occurred_at=occurred_at,
        )


@receiver(board_card_fields, dispatch_uid="monitoring.identity.board")
def on_board_card(sender, *, application, **kwargs) -> dict:
    """The incidents changed: the card's identity state goes with the incident."""
    return {"identity": identity_card(application)}
