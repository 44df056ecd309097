from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from . import (
            receivers,  # noqa: F401 - sessions end on sign-out, password, deactivation
            tasks,  # noqa: F401 - the password-reset e-mail the outbox delivers, by name
        )
