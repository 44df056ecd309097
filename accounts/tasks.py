from celery import shared_task

from . import followups
from .passwords import password_reset_send


@shared_task(name=followups.PASSWORD_RESET_EMAIL.name, ignore_result=True)
def send_password_reset_email(user_id: int, message_id: str, language: str = "") -> None:
    password_reset_send(user_id=user_id, message_id=message_id, language=language)
