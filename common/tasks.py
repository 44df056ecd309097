"""The pipeline's own tasks: deliver one outbox message, send again what is due."""

from celery import shared_task

from . import pipeline


@shared_task(name=pipeline.OUTBOX_DELIVER.name, ignore_result=True, acks_late=True)
def outbox_deliver(message_id: str) -> str:
    return pipeline.outbox_deliver(message_id=message_id)


@shared_task(name=pipeline.OUTBOX_SWEEP.name, ignore_result=True)
def outbox_sweep() -> int:
    """Scheduled by beat (and the embedded runner) every OUTBOX_SWEEP_SECONDS."""
    return pipeline.outbox_sweep()
