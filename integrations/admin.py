"""Webhooks in the admin, through the same services as the API: endpoints are created and
changed by `endpoint_create` / `endpoint_update` (the URL check included), the secret is shown
once on the page after "Save" (never stored in a message or cookie), and every delivery lists
its attempts with a "Redeliver" action."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from common.admin import InvigilModelAdmin, InvigilTabularInline, RecordAdminMixin
from common.errors import ServiceError

from . import services
from .addresses import AddressRefused, url_check
from .events import EVENT_LABELS, EVENT_TYPES
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(e, f"{e} — {EVENT_LABELS[e]}") for e in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organization", "url", "events", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                url_check(url)
            except AddressRefused as exc:
                raise forms.ValidationError(str(exc), code="url_not_allowed") from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(InvigilModelAdmin):
    form = EndpointForm
    list_display = ["url", "organization", "event_list", "active", "failing_since", "disabled_at"]
    list_filter = ["active", "organization"]
    search_fields = ["url", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = [
        "secret_hint",
        "created_by",
        "created_at",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "deliveries_link",
    ]

    fields = ["organization", "url", "events", "active", *readonly_fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organization", "url", "events", "active"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else ["organization", *fields]

    @admin.display(description="Events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    @admin.display(description="Secret")
    def secret_hint(self, obj: WebhookEndpoint) -> str:
        return obj.secret_hint

    @admin.display(description="Deliveries")
    def deliveries_link(self, obj: WebhookEndpoint) -> str:
        url = reverse("admin:integrations_webhookdelivery_changelist")
        url += f"?endpoint__id__exact={obj.pk}"
        count = obj.deliveries.count()
        return format_html(
            '<a href="{}">{} deliver{}</a>', url, count, "y" if count == 1 else "ies"
        )

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            fresh = WebhookEndpoint.objects.get(pk=obj.pk)
            services.endpoint_update(
                actor=request.user,
                endpoint=fresh,
                data={name: data[name] for name in form.changed_data if name != "organization"},
            )
            return
        created = services.endpoint_create(
            actor=request.user,
            organization=data["organization"],
            url=data["url"],
            events=data["events"],
            active=data["active"],
        )
        obj.pk, obj.secret, obj.created_by = created.pk, created.secret, created.created_by
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, once, on the page itself."""
        return TemplateResponse(
            request,
            "admin/integrations/secret_once.html",
            {
                **self.admin_site.each_context(request),
                "title": "Webhook endpoint added",
                "endpoint": obj,
                "opts": self.model._meta,
                "change_url": reverse("admin:integrations_webhookendpoint_change", args=[obj.pk]),
            },
        )


class AttemptInline(InvigilTabularInline):
    model = WebhookAttempt
    extra = 0
    fields = [
        "attempted_at",
        "manual",
        "status_code",
        "latency_ms",
        "address",
        "error",
        "response_excerpt",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Each event for each endpoint, with every attempt; "Redeliver" sends it again now with
    the same webhook-id."""

    list_display = [
        "webhook_id",
        "event_type",
        "endpoint",
        "application_id",
        "state",
        "attempt_count",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["state", "event_type", "endpoint__organization", "endpoint"]
    search_fields = ["=application_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    fields = [
        "webhook_id",
        "endpoint",
        "event_type",
        "application_id",
        "state",
        "created_at",
        "delivered_at",
        "payload",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.display(description="webhook-id")
    def webhook_id(self, obj: WebhookDelivery) -> str:
        return obj.webhook_id

    @admin.display(description="Attempts")
    def attempt_count(self, obj: WebhookDelivery) -> int:
        return obj.attempts.count()

    @admin.action(description="Redeliver (one attempt now, the same webhook-id)")
    def redeliver(self, request, queryset) -> None:
        sent, refused = 0, []
        for delivery in queryset:
            try:
                services.webhook_redeliver(actor=request.user, delivery=delivery)
                sent += 1
            except ServiceError as exc:
                refused.append(f"{delivery.webhook_id}: {exc.message}")
        self.message_user(request, f"{sent} delivery(ies) sent again.", messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, refusal, messages.WARNING)
