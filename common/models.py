import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxQuerySet(models.QuerySet):
    def pending(self) -> "OutboxQuerySet":
        """Neither sent nor given up: the sweep sends these again when they are due."""
        return self.filter(sent_at=None, failed_at=None)


class OutboxMessage(models.Model):
    """Follow-up work that cannot be derived again from stored state (an e-mail, a webhook),
    written in the transaction that decided it, delivered after the commit, marked sent.
    Its id is what a receiver uses to drop a duplicate (common.pipeline)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=100, help_text="The registered task that delivers it.")
    payload = models.JSONField(default=dict, help_text="Ids and plain values, never secrets.")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, help_text="Not sent before this.")
    attempts = models.PositiveIntegerField(default=0)
    leased_until = models.DateTimeField(
        null=True, blank=True, help_text="A delivery is under way until then."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="Every attempt of the retry schedule failed."
    )
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbox message"
        verbose_name_plural = "outbox messages"
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at=None, failed_at=None),
                name="outbox_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.pk}"

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        return "failed" if self.failed_at else "pending"
