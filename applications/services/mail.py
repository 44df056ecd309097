"""The e-mails applications sends, delivered from the outbox (common.pipeline)."""

from django.conf import settings
from django.core.mail import EmailMessage


def send_email(*, subject: str, body: str, to: str, message_id: str) -> None:
    """One e-mail of the outbox. Its Message-ID is the outbox id: a message sent again after
    a lost acknowledgement is the same message to every mail system on the way."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "invigil.local"
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": f"<{message_id}@{domain}>"},
    ).send()
