from rest_framework import serializers

from integrations.events import EVENT_TYPES
from integrations.models import WebhookAttempt, WebhookEndpoint

EVENTS_HELP = "Event types: " + ", ".join(EVENT_TYPES) + "."


class EndpointOutputSerializer(serializers.ModelSerializer):
    organization_id = serializers.IntegerField()
    events = serializers.ListField(child=serializers.CharField(), help_text=EVENTS_HELP)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "active",
            "organization_id",
            "created_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
        ]


class EndpointCreatedSerializer(EndpointOutputSerializer):
    """The one answer that shows the secret: keep it, it is never shown again."""

    secret = serializers.CharField(help_text="whsec_…: verify every delivery with it.")

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    events = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=len(EVENT_TYPES) * 2,
        help_text=EVENTS_HELP,
    )
    active = serializers.BooleanField(required=False, default=True)
    organization_id = serializers.IntegerField(
        required=False, help_text="Admins only; recruiters always write to their organization."
    )


class EndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=len(EVENT_TYPES) * 2,
        required=False,
        help_text=EVENTS_HELP,
    )
    active = serializers.BooleanField(required=False)


class EndpointTestSerializer(serializers.ModelSerializer):
    """How the test event went: one attempt, now."""

    delivered = serializers.BooleanField(source="ok")
    webhook_id = serializers.CharField(source="delivery.webhook_id")

    class Meta:
        model = WebhookAttempt
        fields = [
            "delivered",
            "webhook_id",
            "status_code",
            "latency_ms",
            "address",
            "response_excerpt",
            "error",
            "attempted_at",
        ]
