"""Celery tasks of integrations, delivered from the outbox (common.pipeline calls them with
the message's id). Each fetches by id and calls one service."""

from celery import shared_task

from . import followups
from .services import endpoint_disabled_notify, webhook_deliver


@shared_task(name=followups.DELIVER_WEBHOOK.name, ignore_result=True)
def deliver_webhook(message_id: str, endpoint_id: int | None = None) -> str:
    """The delivery's id is its first outbox message's id (integrations.services)."""
    return webhook_deliver(delivery_id=message_id, message_id=message_id)


@shared_task(name=followups.REDELIVER_WEBHOOK.name, ignore_result=True)
def redeliver_webhook(delivery_id: str, message_id: str) -> str:
    return webhook_deliver(delivery_id=delivery_id, message_id=message_id, manual=True)


@shared_task(name=followups.ENDPOINT_DISABLED_EMAIL.name, ignore_result=True)
def send_endpoint_disabled_email(endpoint_id: int, user_id: int, message_id: str) -> None:
    endpoint_disabled_notify(endpoint_id=endpoint_id, user_id=user_id, message_id=message_id)
