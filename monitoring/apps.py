from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"

    def ready(self) -> None:
        from django.conf import settings

        from cameras import sweeper

        from . import tasks  # noqa: F401 - registers the tasks pipeline.py queues by name
        from .analysis import checks  # noqa: F401 - registers the system checks
        from .audit import receivers as audit  # noqa: F401 - the lower apps' signals
        from .integrity import receivers  # noqa: F401 - listens to the lower apps' signals
        from .integrity.services import snapshot_gaps_sweep

        # Without a beat (embedded mode) snapshot gaps are swept in the ASGI process too.
        sweeper.register(snapshot_gaps_sweep, every_seconds=settings.INTEGRITY_GAP_SWEEP_SECONDS)
