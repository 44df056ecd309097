from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Not a feature app: it holds the outbox table of the after-commit pipeline
    (common.pipeline) and registers the pipeline's own tasks. It imports no app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "common"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - the outbox's delivery and sweep, by name
