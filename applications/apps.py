from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"

    def ready(self) -> None:
        from . import (
            receivers,  # noqa: F401 - invitations end when a password is set
            tasks,  # noqa: F401 - the e-mails the outbox delivers, by name
        )
