from functools import partial

from django.contrib import admin, messages

from common.admin import InvigilModelAdmin, InvigilTabularInline, RecordAdminMixin
from common.errors import ServiceError

from .models import (
    CandidateResponse,
    Decision,
    Invitation,
    Job,
    JobApplication,
    MonitoringConsent,
)
from .services import application_legal_hold_set, application_update, application_withdraw
from .services.jobs import APPLICATION_FIELDS


@admin.register(Job)
class JobAdmin(InvigilModelAdmin):
    list_display = ["title", "organization", "is_open", "application_count", "created_at"]
    list_filter = ["is_open", "organization"]
    search_fields = ["title", "description", "organization__name"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"

    @admin.display(description="Applications")
    def application_count(self, obj: Job) -> int:
        return obj.applications.count()


class InvitationInline(InvigilTabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "created_by", "created_at", "accepted_at"]
    readonly_fields = fields
    can_delete = False


class ConsentInline(InvigilTabularInline):
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
class JobApplicationAdmin(InvigilModelAdmin):
    """Applications in the admin go through the same services as everywhere else: the status
    changes only by an action that calls the transition service; a legal hold only by the
    audited hold service; the monitoring settings through `application_update`. New
    applications are made on the console or the API (they invite the candidate)."""

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
    fields = [
        "candidate",
        "job",
        "status",
        "legal_hold",
        "camera_monitoring",
        "camera_interval",
        "screen_monitoring",
        "screen_interval",
        "created_at",
        "started_at",
        "completed_at",
        "withdrawn_at",
        "terminated_at",
        "termination_reason",
        "assigned_reviewer",
        "recording_deleted_at",
        # Accommodations: set on the timeline or the API (before recording begins), shown here.
        "checks_off",
        "checks_off_reason",
        "checks_off_by",
        "checks_off_at",
    ]
    # Only the monitoring settings and the assigned reviewer are edited here (through
    # application_update).
    readonly_fields = [f for f in fields if f not in (*APPLICATION_FIELDS, "assigned_reviewer")]
    date_hierarchy = "created_at"
    inlines = [ConsentInline, InvitationInline]
    # Inlines of the apps above (applications cannot import them): see `add_inline`.
    extra_inlines: list = []
    actions = ["hold", "release", "withdraw"]

    @classmethod
    def add_inline(cls, inline) -> None:
        """An app above shows its rows on the application's page (monitoring: receipts)."""
        if inline not in cls.extra_inlines:
            cls.extra_inlines.append(inline)

    def get_inlines(self, request, obj):
        return [*self.inlines, *self.extra_inlines]

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        """The monitoring settings lock once recording has begun (application_update)."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.recording_began:
            fields += [f for f in APPLICATION_FIELDS if f not in fields]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """ "My candidates": only active recruiters of the interview's organization."""
        if db_field.name == "assigned_reviewer":
            from accounts.models import User

            object_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            organization = (
                JobApplication.objects.filter(pk=object_id)
                .values_list("job__organization_id", flat=True)
                .first()
                if object_id and str(object_id).isdigit()
                else None
            )
            kwargs["queryset"] = User.objects.filter(
                role=User.Role.RECRUITER, is_active=True, organization_id=organization
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if "assigned_reviewer" in data:
            reviewer = data.pop("assigned_reviewer")
            data["assigned_reviewer_id"] = reviewer.pk if reviewer else None
        application_update(actor=request.user, application=obj, data=data)

    def _each(self, request, queryset, service, done: str) -> None:
        changed, refused = 0, []
        for application in queryset.select_related("job", "candidate"):
            try:
                changed += bool(service(actor=request.user, application=application))
            except ServiceError as exc:
                refused.append(f"#{application.pk}: {exc.message}")
        self.message_user(request, f"{changed} interview(s) {done}.", messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, refusal, messages.WARNING)

    @admin.action(description="Place under legal hold (retention and erasure skip them)")
    def hold(self, request, queryset) -> None:
        self._each(request, queryset, partial(application_legal_hold_set, hold=True), "held")

    @admin.action(description="Lift the legal hold")
    def release(self, request, queryset) -> None:
        self._each(request, queryset, partial(application_legal_hold_set, hold=False), "released")

    @admin.action(description="Withdraw (nothing more is recorded)")
    def withdraw(self, request, queryset) -> None:
        self._each(request, queryset, application_withdraw, "withdrawn")

    @admin.display(description="Organization", ordering="job__organization__name")
    def organization(self, obj: JobApplication) -> str:
        return obj.job.organization.name


@admin.register(Invitation)
class InvitationAdmin(InvigilModelAdmin):
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


@admin.register(Decision)
class DecisionAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Every decision, the replaced ones too, as recorded (made on the timeline or the API:
    the four-eyes rule and the audit live in the services)."""

    deletable = False
    list_display = [
        "decided_at",
        "application",
        "outcome",
        "state",
        "decided_by",
        "confirmed_by",
        "after_response",
        "replaced_at",
    ]
    list_filter = ["outcome", "state", "after_response", "application__job__organization"]
    search_fields = ["application__candidate__username", "reason"]
    list_select_related = ["application__candidate", "decided_by", "confirmed_by"]
    date_hierarchy = "decided_at"


@admin.register(CandidateResponse)
class CandidateResponseAdmin(RecordAdminMixin, InvigilModelAdmin):
    deletable = False
    list_display = ["created_at", "application", "text"]
    list_filter = ["application__job__organization"]
    search_fields = ["application__candidate__username", "text"]
    list_select_related = ["application__candidate"]
    date_hierarchy = "created_at"
