"""Invitations: a signed, single-use link that lets a new candidate set a password."""

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from applications import followups
from applications.models import Invitation, JobApplication
from applications.selectors import invitation_get_pending
from common import pipeline
from common.errors import InvalidInput

from .mail import send_email

logger = logging.getLogger(__name__)

INVITATION_SALT = "invigil.applications.invitation"


def invitation_token(*, invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(*, invitation: Invitation) -> str:
    path = reverse("invitation-accept", kwargs={"token": invitation_token(invitation=invitation)})
    return settings.SITE_URL.rstrip("/") + path


def invitation_create(*, actor: User, application: JobApplication) -> Invitation:
    invitation = Invitation.objects.create(
        application=application, email=application.candidate.email, created_by=actor
    )
    # Written in the language of the page that asked for it (README, "Languages").
    pipeline.outbox(
        followups.INVITATION_EMAIL,
        invitation_id=invitation.pk,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return invitation


def invitation_send(*, invitation_id: int, message_id: str, language: str = "") -> None:
    """The invitation e-mail (the outbox delivers it once the invitation is committed), in
    `language` (the inviting page's; English for messages queued before languages)."""
    invitation = (
        Invitation.objects.select_related("application__job__organization")
        .filter(pk=invitation_id, accepted_at=None)
        .first()
    )
    if invitation is None:  # used or erased meanwhile: a link to nothing is not sent
        return
    job = invitation.application.job
    days = settings.INVITATION_MAX_AGE // 86400
    words = {"job": job.title, "organization": job.organization.name, "days": days}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Your interview for %(job)s at %(organization)s") % words
        body = _(
            "Hello,\n\n%(organization)s invited you to an interview for %(job)s on Invigil."
            "\n\nSet your password here (the link works once and expires in %(days)s days):"
            "\n%(link)s\n"
        ) % {**words, "link": invitation_url(invitation=invitation)}
    send_email(subject=subject, body=body, to=invitation.email, message_id=message_id)
    logger.info("Invitation %s sent", invitation.pk)


def invitation_from_token(*, token: str) -> Invitation:
    """The pending invitation a link names; refuses tampered, expired or used links."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInput(
            _("This invitation link has expired. Ask your recruiter for a new one."),
            code="invitation_expired",
        ) from None
    except signing.BadSignature:
        raise InvalidInput(
            _("This invitation link is not valid."), code="invitation_invalid"
        ) from None
    invitation = invitation_get_pending(invitation_id=payload.get("i"))
    if invitation is None:
        raise InvalidInput(
            _("This invitation link has already been used. Sign in with your password."),
            code="invitation_used",
        )
    candidate = invitation.application.candidate
    if not candidate.is_active or not candidate.is_candidate or candidate.is_staff:
        # A deactivated or staff account never gets a password from a link.
        raise InvalidInput("This invitation link is not valid.", code="invitation_invalid")
    return invitation


def invitations_end(*, user_id: int) -> int:
    """The candidate used an invitation or their password was set another way: every other
    pending link of theirs stops working (it could set the password again)."""
    return Invitation.objects.filter(
        application__candidate_id=user_id, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    invitation = invitation_from_token(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvalidInput("This invitation link has already been used.", code="invitation_used")
    user = invitation.application.candidate
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="weak_password") from exc
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    user.set_password(password)  # the other pending links end with it (applications.receivers)
    user.save(update_fields=["password"])
    return user
