"""Sessions end on sign-out (that session's sockets), on a password change and on
deactivation (every socket and the API token of the user), on a change of rights (every
socket); failed sign-ins are counted per address."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from common import ratelimit
from common.http import client_ip

from .authentication import token_cache
from .models import User
from .sessions import session_sockets_close, user_sessions_end
from .signals import password_changed, user_deactivated, user_rights_changed

SIGNIN_FAILURES = "signin-failures"


@receiver(user_logged_out, dispatch_uid="accounts.sessions.logout")
def on_logout(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session_sockets_close(session_key=session.session_key)


@receiver(user_login_failed, dispatch_uid="accounts.signin.address_failures")
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """Failed sign-ins per address, whatever the username (the per-address limit)."""
    if request is not None:
        ratelimit.allow(
            SIGNIN_FAILURES, client_ip(request), rate=settings.RATE_LIMIT_SIGNIN_ADDRESS
        )


@receiver(password_changed, dispatch_uid="accounts.sessions.password")
def on_password_changed(sender, user, **kwargs) -> None:
    user_sessions_end(user_id=user.pk, reason="password_changed", tokens=True)


@receiver(user_deactivated, dispatch_uid="accounts.sessions.deactivated")
def on_deactivated(sender, user, **kwargs) -> None:
    user_sessions_end(user_id=user.pk, reason="deactivated", tokens=True)


@receiver(user_rights_changed, dispatch_uid="accounts.sessions.rights")
def on_rights_changed(sender, user, **kwargs) -> None:
    """A board joined its groups with the old rights: it closes (the page reconnects with the
    new ones). API tokens stay: every request reads the user's rights afresh."""
    user_sessions_end(user_id=user.pk, reason="rights_changed", tokens=False)


@receiver(post_delete, sender=Token, dispatch_uid="accounts.tokens.deleted")
def on_token_deleted(sender, instance, **kwargs) -> None:
    token_cache.forget_key(instance.key)


@receiver(post_save, sender=User, dispatch_uid="accounts.tokens.user_saved")
@receiver(post_delete, sender=User, dispatch_uid="accounts.tokens.user_deleted")
def on_user_changed(sender, instance, **kwargs) -> None:
    """Role, organization, activity: the next request reads the user afresh."""
    token_cache.forget_user(instance.pk)
