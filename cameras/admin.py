from django.contrib import admin

from common.admin import InvigilModelAdmin, RecordAdminMixin

from .models import CameraEvent, CameraStream, LiveWatch, ProctorMessage, WarningTemplate


class LiveFilter(admin.SimpleListFilter):
    title = "live now"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "Live (on and fresh)"), ("stale", "On but silent"), ("no", "Off")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.live()
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "no":
            return queryset.filter(is_active=False)
        return queryset


@admin.register(CameraStream)
class CameraStreamAdmin(InvigilModelAdmin):
    list_display = [
        "user",
        "organization",
        "application",
        "is_active",
        "live",
        "started_at",
        "last_updated",
    ]
    list_filter = [LiveFilter, "is_active", "application__job__organization"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "application__job__organization"]
    readonly_fields = [
        "user",
        "application",
        "is_active",
        "started_at",
        "last_updated",
        "last_broadcast_at",
    ]

    @admin.display(description="Organization")
    def organization(self, obj: CameraStream) -> str:
        return obj.application.job.organization.name if obj.application else "—"

    @admin.display(boolean=True, description="Live")
    def live(self, obj: CameraStream) -> bool:
        return obj.is_live()

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CameraEvent)
class CameraEventAdmin(RecordAdminMixin, InvigilModelAdmin):
    list_display = ["occurred_at", "user", "kind", "application", "organization"]
    list_filter = ["kind", "application__job__organization"]
    search_fields = ["user__username", "application__job__title"]
    list_select_related = ["user", "application__job__organization"]
    date_hierarchy = "occurred_at"
    readonly_fields = ["user", "application", "kind", "occurred_at"]

    @admin.display(description="Organization")
    def organization(self, obj: CameraEvent) -> str:
        return obj.application.job.organization.name if obj.application else "—"


@admin.register(LiveWatch)
class LiveWatchAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Every live watch session: who watched whom, from when to when, and why it ended."""

    list_display = ["started_at", "viewer", "candidate", "application", "ended_at", "end_reason"]
    list_filter = ["end_reason", "started_at"]
    search_fields = ["viewer__username", "candidate__username", "candidate__email"]
    date_hierarchy = "started_at"
    list_select_related = ["viewer", "candidate", "application__job"]
    readonly_fields = [f.name for f in LiveWatch._meta.fields]


@admin.register(ProctorMessage)
class ProctorMessageAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Every message, warning and raised hand of live proctoring (part of the record)."""

    list_display = ["sent_at", "application", "side", "kind", "sender", "delivered_at"]
    list_filter = ["kind", "side", "application__job__organization"]
    search_fields = ["candidate__username", "sender__username", "text"]
    date_hierarchy = "sent_at"
    list_select_related = ["sender", "application__job", "application__candidate"]
    readonly_fields = [f.name for f in ProctorMessage._meta.fields]


@admin.register(WarningTemplate)
class WarningTemplateAdmin(InvigilModelAdmin):
    """The warnings an organization's reviewers send with two clicks (none: the defaults)."""

    list_display = ["text", "organization", "position"]
    list_filter = ["organization"]
    list_editable = ["position"]
    ordering = ["organization", "position", "id"]
