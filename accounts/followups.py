"""accounts' follow-ups (common.pipeline): the password-reset e-mail, as an outbox message.
The message holds the user's id only: the link is made when the e-mail is sent, so no
reset token is ever stored."""

from django.conf import settings

from common.pipeline import followup


def _email_retry() -> tuple[int, ...]:
    return tuple(settings.EMAIL_RETRY_SCHEDULE)


PASSWORD_RESET_EMAIL = followup("accounts.send_password_reset_email", retry=_email_retry)
