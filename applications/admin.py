from django.contrib import admin

from .models import Invitation, Job, JobApplication, MonitoringConsent


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "is_open", "application_count", "created_at"]
    list_filter = ["is_open", "organization"]
    search_fields = ["title", "description", "organization__name"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"

    @admin.display(description="Applications")
    def application_count(self, obj: Job) -> int:
        return obj.applications.count()


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "created_by", "created_at", "accepted_at"]
    readonly_fields = fields
    can_delete = False


class ConsentInline(admin.TabularInline):
    """The consent history: every answer to the notice, as recorded."""

    model = MonitoringConsent
    extra = 0
    verbose_name_plural = "consent history"
    fields = ["created_at", "state", "notice_version", "accepted_at", "withdrawn_at", "declined_at"]
    readonly_fields = fields
    can_delete = False
    ordering = ["created_at", "id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JobApplication)
class JobApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "candidate",
        "job",
        "organization",
        "status",
        "legal_hold",
        "camera_monitoring",
        "camera_interval",
        "screen_monitoring",
        "screen_interval",
        "created_at",
    ]
    list_filter = [
        "status",
        "legal_hold",
        "job__organization",
        ("recording_deleted_at", admin.EmptyFieldListFilter),
        "camera_monitoring",
        "screen_monitoring",
    ]
    search_fields = ["candidate__username", "candidate__email", "job__title"]
    list_select_related = ["candidate", "job__organization"]
    raw_id_fields = ["candidate"]
    readonly_fields = [
        "created_at",
        "started_at",
        "completed_at",
        "withdrawn_at",
        "recording_deleted_at",
    ]
    date_hierarchy = "created_at"
    inlines = [ConsentInline, InvitationInline]
    actions = ["hold", "release"]

    @admin.action(description="Place under legal hold (retention and erasure skip them)")
    def hold(self, request, queryset) -> None:
        count = queryset.update(legal_hold=True)
        self.message_user(request, f"{count} interview(s) placed under legal hold.")

    @admin.action(description="Lift the legal hold")
    def release(self, request, queryset) -> None:
        count = queryset.update(legal_hold=False)
        self.message_user(request, f"Legal hold lifted on {count} interview(s).")

    @admin.display(description="Organization", ordering="job__organization__name")
    def organization(self, obj: JobApplication) -> str:
        return obj.job.organization.name


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "application",
        "organization",
        "created_by",
        "created_at",
        "accepted_at",
    ]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter), "application__job__organization"]
    search_fields = ["email", "application__job__title"]
    list_select_related = ["application__job__organization", "application__candidate", "created_by"]
    readonly_fields = ["application", "email", "created_by", "created_at", "accepted_at"]

    @admin.display(description="Organization")
    def organization(self, obj: Invitation) -> str:
        return obj.application.job.organization.name

    def has_add_permission(self, request) -> bool:
        return False
