from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the tasks pipeline.py queues by name
        from .analysis import checks  # noqa: F401 - registers the system checks
        from .audit import receivers as audit  # noqa: F401 - the lower apps' signals
        from .identity import checks as identity  # noqa: F401 - face templates installed?
        from .identity import receivers as identity_settings  # noqa: F401 - org settings
        from .integrity import receivers  # noqa: F401 - listens to the lower apps' signals
        from .privacy import receivers as privacy  # noqa: F401 - admin deletes reach erasure
