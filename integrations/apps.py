from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from . import (
            receivers,  # noqa: F401 - the events of the apps below
            tasks,  # noqa: F401 - registers the tasks pipeline.py queues by name
        )
