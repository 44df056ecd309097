"""Celery tasks of applications: the e-mails to candidates, delivered from the outbox
(common.pipeline calls them with the message's id). Each fetches by id and calls a service."""

from celery import shared_task

from . import followups
from .services import application_invite_notify, candidate_response_notify, invitation_send


@shared_task(name=followups.INVITATION_EMAIL.name, ignore_result=True)
def send_invitation_email(invitation_id: int, message_id: str, language: str = "") -> None:
    invitation_send(invitation_id=invitation_id, message_id=message_id, language=language)


@shared_task(name=followups.APPLICATION_NOTICE_EMAIL.name, ignore_result=True)
def send_application_notice(application_id: int, message_id: str, language: str = "") -> None:
    application_invite_notify(
        application_id=application_id, message_id=message_id, language=language
    )


@shared_task(name=followups.RESPONSE_EMAIL.name, ignore_result=True)
def send_response_email(response_id: int, message_id: str) -> None:
    candidate_response_notify(response_id=response_id, message_id=message_id)
