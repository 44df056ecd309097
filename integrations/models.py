import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    """A receiver of an organization's events (its applicant tracking system): a URL, the
    events it wants and the secret its deliveries are signed with (Standard Webhooks)."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(
        "URL",
        max_length=2000,
        help_text="https in production; may not resolve to a private, loopback or link-local "
        "address unless WEBHOOK_ALLOW_PRIVATE is set.",
    )
    events = models.JSONField(default=list, help_text="The event types it receives.")
    secret = models.CharField(
        max_length=100, editable=False, help_text="whsec_…: signs every delivery."
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The first failed attempt since the last success (cleared by a success).",
    )
    disabled_at = models.DateTimeField(
        null=True, blank=True, help_text="Switched off after failing for WEBHOOK_DISABLE_AFTER."
    )
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "webhook endpoint"
        verbose_name_plural = "webhook endpoints"
        ordering = ["organization_id", "id"]
        indexes = [models.Index(fields=["organization", "active"], name="webhook_endpoint_org_idx")]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """Enough to tell two secrets apart, never enough to sign."""
        return f"{self.secret[:6]}…{self.secret[-4:]}" if self.secret else ""


class WebhookDelivery(models.Model):
    """One event for one endpoint. Its id is the id of the outbox message that first carried
    it: the `webhook-id` of every attempt, redeliveries included, so a receiver drops
    duplicates. `payload` is the exact body, the same bytes on every attempt."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (given up)"
        DROPPED = "dropped", "Not sent (endpoint disabled)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40)
    application_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The interview it is about (an id: it outlives it)."
    )
    payload = models.TextField(help_text="The JSON body, as sent.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
            models.Index(fields=["application_id"], name="webhook_delivery_app_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.pk.hex}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what came back, how long it took, from which address."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(default=timezone.now)
    manual = models.BooleanField(
        default=False, help_text="A redelivery from the admin or a test from the API."
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    address = models.GenericIPAddressField(
        null=True, blank=True, help_text="The address actually connected to."
    )
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "webhook attempt"
        verbose_name_plural = "webhook attempts"
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error[:40]} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
