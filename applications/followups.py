"""applications' follow-ups (common.pipeline): the e-mails to candidates, as outbox messages
— an e-mail cannot be derived again from stored state, so it is written with the change that
decided it and sent at least once (its Message-ID carries the outbox id)."""

from django.conf import settings

from common.pipeline import followup


def _email_retry() -> tuple[int, ...]:
    return tuple(settings.EMAIL_RETRY_SCHEDULE)


INVITATION_EMAIL = followup("applications.send_invitation_email", retry=_email_retry)
APPLICATION_NOTICE_EMAIL = followup("applications.send_application_notice", retry=_email_retry)
RESPONSE_EMAIL = followup("applications.send_response_email", retry=_email_retry)
