"""Forgotten passwords (Django's reset flow, README "Accounts"): a candidate asks with their
e-mail address and gets a link that sets a new password once. The answer is the same whether
or not an account has that address (no account oracle); the e-mail goes through the outbox
after the commit; requests are rate-limited per address and per e-mail address."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from common import pipeline, ratelimit

from . import followups
from .models import User

logger = logging.getLogger(__name__)


def _resettable(email: str):
    """Active candidates with this address who have a password to forget (staff accounts ask
    an admin: a reviewer's access is not something an inbox alone should restore)."""
    users = User.objects.filter(email__iexact=email, is_active=True, role=User.Role.CANDIDATE)
    return [user for user in users if user.has_usable_password()]


def password_reset_request(*, email: str) -> int:
    """Queue a reset e-mail to each account with this address (usually none or one). Beyond
    RATE_LIMIT_PASSWORD_RESET_EMAIL per address nothing more is sent, silently: the page says
    the same either way. Returns how many e-mails were queued (for tests, never shown)."""
    email = email.strip()
    if not email or not ratelimit.allow(
        "password_reset_email", email.lower(), rate=settings.RATE_LIMIT_PASSWORD_RESET_EMAIL
    ):
        return 0
    queued = 0
    for user in _resettable(email):
        pipeline.outbox(
            followups.PASSWORD_RESET_EMAIL,
            user_id=user.pk,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        queued += 1
    return queued


def password_reset_url(*, user: User) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def password_reset_send(*, user_id: int, message_id: str, language: str = "") -> None:
    """The reset e-mail (the outbox delivers it once the request is committed), in the
    language of the page that asked for it. The link is made now; it works once and for
    PASSWORD_RESET_TIMEOUT."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return  # deactivated or erased meanwhile
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "invigil.local"
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Set a new password for Invigil")
        body = _(
            "Hello %(name)s,\n\nSomeone — we hope you — asked to set a new password for your "
            "Invigil account (%(username)s).\n\nSet it here (the link works once and expires "
            "in %(hours)s hours):\n%(link)s\n\nIf you did not ask, ignore this e-mail: your "
            "password stays as it is.\n"
        ) % {
            "name": user.display_name,
            "username": user.username,
            "hours": hours,
            "link": password_reset_url(user=user),
        }
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": f"<{message_id}@{domain}>"},
    ).send()
    logger.info("Password reset e-mail sent to user %s", user.pk)
