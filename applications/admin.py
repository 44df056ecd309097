from django.contrib import admin

from .models import Invitation, Job, JobApplication


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


@admin.register(JobApplication)
class JobApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "candidate",
        "job",
        "organization",
        "status",
        "camera_monitoring",
        "camera_interval",
        "screen_monitoring",
        "screen_interval",
        "created_at",
    ]
    list_filter = ["status", "job__organization", "camera_monitoring", "screen_monitoring"]
    search_fields = ["candidate__username", "candidate__email", "job__title"]
    list_select_related = ["candidate", "job__organization"]
    raw_id_fields = ["candidate"]
    readonly_fields = ["created_at", "started_at", "completed_at"]
    date_hierarchy = "created_at"
    inlines = [InvitationInline]

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
