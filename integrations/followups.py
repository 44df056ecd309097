"""integrations' follow-ups (common.pipeline): every one an outbox message — a webhook and an
e-mail cannot be derived again from stored state, so each is written in the transaction of
the event that decided it and delivered at least once.

- DELIVER_WEBHOOK: one event for one endpoint; retried on WEBHOOK_RETRY_SCHEDULE (24 h by
  default), then given up. Its outbox id is the delivery's id, hence its `webhook-id`.
- REDELIVER_WEBHOOK: an admin's "Redeliver": one attempt now, the same `webhook-id`.
- ENDPOINT_DISABLED_EMAIL: tells one person that an endpoint was switched off.
"""

from django.conf import settings

from common.pipeline import followup


def _webhook_retry() -> tuple[int, ...]:
    return tuple(settings.WEBHOOK_RETRY_SCHEDULE)


def _email_retry() -> tuple[int, ...]:
    return tuple(settings.EMAIL_RETRY_SCHEDULE)


DELIVER_WEBHOOK = followup("integrations.deliver_webhook", retry=_webhook_retry)
REDELIVER_WEBHOOK = followup("integrations.redeliver_webhook")
ENDPOINT_DISABLED_EMAIL = followup("integrations.send_endpoint_disabled_email", retry=_email_retry)
