"""What applications does when accounts change (signals: accounts never imports applications)."""

from django.dispatch import receiver

from accounts.signals import password_changed, user_deactivated

from .services.invitations import invitations_end


@receiver(password_changed, dispatch_uid="applications.invitations.password")
@receiver(user_deactivated, dispatch_uid="applications.invitations.deactivated")
def end_pending_invitations(sender, user, **kwargs) -> None:
    """A password set (by an invitation, the admin, a reset) or an account deactivated: no
    pending invitation link of theirs may set it again."""
    invitations_end(user_id=user.pk)
