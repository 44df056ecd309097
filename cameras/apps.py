from django.apps import AppConfig


class CamerasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cameras"

    def ready(self) -> None:
        from . import (
            receivers,  # noqa: F401 - listens to the applications signals
            tasks,  # noqa: F401 - registered for beat and the embedded runner
        )
