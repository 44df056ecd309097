"""The console e-mail backend, as the product uses it: e-mails written to the process's
output, with every link that can sign someone in or set a password (invitations, password
resets) left out unless DEBUG is on (the local demo, where following the link is the point).
Production refuses to start with no EMAIL_BACKEND (config/settings/base.py): the console is
there only when chosen explicitly, and even then the log never carries a token."""

import re

from django.conf import settings
from django.core.mail.backends.console import EmailBackend

SECRET_LINKS = re.compile(r"(/(?:invitations|reset)/)[^\s/]+(?:/[^\s/]+)?/?")


def redact(text: str) -> str:
    return SECRET_LINKS.sub(r"\1[link left out of the log]/", text)


class ConsoleEmailBackend(EmailBackend):
    def write_message(self, message) -> None:
        if settings.DEBUG:
            super().write_message(message)
            return
        data = redact(message.message().as_bytes().decode("utf-8", "replace"))
        self.stream.write(data + "\n" + "-" * 79 + "\n")
