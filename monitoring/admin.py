from django.contrib import admin, messages
from django.utils.html import format_html

from applications.admin import JobApplicationAdmin
from common.admin import InvigilModelAdmin, InvigilTabularInline, RecordAdminMixin
from common.http import request_info

from .analysis.services import frame_analyses_requeue
from .images.services import monitoring_image_delete, signed_urls_issue
from .integrity.services import RULE_FIELDS, integrity_rules_update
from .models import (
    AccessEvent,
    ErasureJob,
    FrameAnalysis,
    IdentityDecision,
    IdentityReference,
    IncidentVerdict,
    IntegrityEvent,
    IntegrityRules,
    InterviewRules,
    MonitoringEvent,
    MonitoringImage,
    ReviewNote,
)


@admin.register(MonitoringImage)
class MonitoringImageAdmin(RecordAdminMixin, InvigilModelAdmin):
    list_display = [
        "thumbnail",
        "id",
        "image_type",
        "candidate",
        "organization",
        "captured_at",
        "width",
        "height",
        "byte_size",
    ]
    list_display_links = ["thumbnail", "id"]
    list_filter = ["image_type", "application__job__organization", "application"]
    search_fields = ["application__candidate__username", "file", "client_id"]
    list_select_related = ["application__candidate", "application__job__organization"]
    date_hierarchy = "captured_at"
    readonly_fields = [
        "preview",
        "application",
        "image_type",
        "file",
        "captured_at",
        "uploaded_by",
        "client_id",
        "width",
        "height",
        "byte_size",
        "sha256",
        "created_at",
    ]
    exclude = []
    actions = ["delete_with_objects"]

    def get_changelist_instance(self, request):
        """Sign the page's thumbnails in one batch, through the audited signing service."""
        changelist = super().get_changelist_instance(request)
        self._sign(request, list(changelist.result_list))
        return changelist

    def get_object(self, request, object_id, from_field=None):
        image = super().get_object(request, object_id, from_field)
        if image is not None and request.method == "GET":
            self._sign(request, [image])
        return image

    def _sign(self, request, images: list[MonitoringImage]) -> None:
        """Once per image and request (the change view fetches its object more than once)."""
        signed = request.__dict__.setdefault("_invigil_signed", {})
        fresh = [image for image in images if image.file.name not in signed]
        if fresh:
            signed.update(
                signed_urls_issue(actor=request.user, images=fresh, info=request_info(request))
            )
        for image in images:
            image.signed_url = signed.get(image.file.name, "")

    @admin.display(description="")
    def thumbnail(self, obj: MonitoringImage) -> str:
        return format_html(
            '<img src="{}" alt="" class="admin-thumb" width="64" height="48">',
            getattr(obj, "signed_url", ""),
        )

    @admin.display(description="Image")
    def preview(self, obj: MonitoringImage) -> str:
        return format_html(
            '<img src="{}" alt="" class="admin-preview">', getattr(obj, "signed_url", "")
        )

    @admin.display(description="Candidate", ordering="application__candidate__username")
    def candidate(self, obj: MonitoringImage) -> str:
        return str(obj.application.candidate)

    @admin.display(description="Organization")
    def organization(self, obj: MonitoringImage) -> str:
        return obj.application.job.organization.name

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would leave the objects in storage
        return actions

    @admin.action(
        description="Delete selected images (and their stored objects)", permissions=["delete"]
    )
    def delete_with_objects(self, request, queryset):
        count = 0
        for image in queryset:
            monitoring_image_delete(actor=request.user, image=image, info=request_info(request))
            count += 1
        self.message_user(request, f"Deleted {count} image(s) and their objects.", messages.SUCCESS)

    def delete_model(self, request, obj):
        monitoring_image_delete(actor=request.user, image=obj, info=request_info(request))


class AuditKindFilter(admin.SimpleListFilter):
    """The meaningful entries first: consent, status, erasure, exports, live watches… The
    routine ones (a signed URL for every thumbnail shown, every listing) one click away."""

    title = "kind"
    parameter_name = "kind"
    ROUTINE = (AccessEvent.Action.URL_ISSUED, AccessEvent.Action.LISTED)

    def lookups(self, request, model_admin):
        return [("routine", "Routine (signed URLs, listings)"), ("all", "Everything")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Meaningful (default)",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "routine":
            return queryset.filter(action__in=self.ROUTINE)
        if self.value() == "all" or request.GET.get("action"):
            return queryset
        return queryset.exclude(action__in=self.ROUTINE)


@admin.register(AccessEvent)
class AccessEventAdmin(RecordAdminMixin, InvigilModelAdmin):
    """The audit log: read-only, filterable by action, actor, application, organization; the
    routine entries behind a filter."""

    deletable = False

    list_display = ["created_at", "action", "who", "application", "detail", "s3_key", "ip"]
    list_filter = [
        AuditKindFilter,
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("application", admin.RelatedOnlyFieldListFilter),
        "application__job__organization",
    ]
    search_fields = ["actor__username", "audience", "s3_key", "ip", "detail"]
    list_select_related = ["actor", "application__candidate", "application__job"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AccessEvent._meta.fields]

    @admin.display(description="Who", ordering="actor__username")
    def who(self, obj: AccessEvent) -> str:
        return str(obj.actor) if obj.actor else (obj.audience or "—")


@admin.register(MonitoringEvent)
class MonitoringEventAdmin(RecordAdminMixin, InvigilModelAdmin):
    list_display = ["occurred_at", "type", "application", "organization", "detail"]
    list_filter = ["type", "application__job__organization"]
    search_fields = ["application__candidate__username", "detail"]
    list_select_related = ["application__candidate", "application__job__organization"]
    date_hierarchy = "occurred_at"

    @admin.display(description="Organization")
    def organization(self, obj: MonitoringEvent) -> str:
        return obj.application.job.organization.name


@admin.register(FrameAnalysis)
class FrameAnalysisAdmin(InvigilModelAdmin):
    list_display = [
        "image",
        "image_type",
        "organization",
        "face_count",
        "brightness",
        "change_fraction",
        "camera_covered",
        "frozen_frame",
        "no_face",
        "multiple_faces",
        "identity_distance",
        "identity_mismatch",
        "detector",
        "analyzed_at",
    ]
    list_filter = [
        "camera_covered",
        "frozen_frame",
        "no_face",
        "multiple_faces",
        "identity_mismatch",
        "image__image_type",
        "detector",
        "image__application__job__organization",
    ]
    search_fields = ["image__file", "image__application__candidate__username"]
    list_select_related = ["image__application__job__organization"]
    readonly_fields = [f.name for f in FrameAnalysis._meta.fields]
    actions = ["analyse_again"]

    @admin.display(description="Type")
    def image_type(self, obj: FrameAnalysis) -> str:
        return obj.image.get_image_type_display()

    @admin.display(description="Organization")
    def organization(self, obj: FrameAnalysis) -> str:
        return obj.image.application.job.organization.name

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Analyse the selected frames again")
    def analyse_again(self, request, queryset):
        count = frame_analyses_requeue(image_ids=list(queryset.values_list("image_id", flat=True)))
        self.message_user(request, f"Queued {count} frame(s).", messages.SUCCESS)


@admin.register(IntegrityRules)
class IntegrityRulesAdmin(InvigilModelAdmin):
    list_display = [
        "organization",
        "sustain_frames",
        "sustain_seconds",
        "tab_hidden_seconds",
        "window_blur_seconds",
        "weights",
    ]
    search_fields = ["organization__name"]

    def save_model(self, request, obj, form, change):
        """Through the audited service (the flags page's): applied to interviews that start
        afterwards, each change an audit entry."""
        values = {name: getattr(obj, name) for name in RULE_FIELDS}
        stored = integrity_rules_update(
            actor=request.user,
            organization=obj.organization,
            values={**values, "weights": obj.weights or {}},
            info=request_info(request),
        )
        obj.pk = stored.pk  # the admin's log entry and redirect name the stored row

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # back to the defaults is a change like any other: set the values


@admin.register(InterviewRules)
class InterviewRulesAdmin(InvigilModelAdmin):
    """The rules each interview was judged by, frozen at its start: read only (a change of the
    organization's rules applies to interviews that start afterwards)."""

    list_display = ["application", "frozen_at", "sustain_frames", "sustain_seconds", "weights"]
    search_fields = ["application__candidate__username"]
    list_select_related = ["application__candidate", "application__job"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IntegrityEvent)
class IntegrityEventAdmin(RecordAdminMixin, InvigilModelAdmin):
    list_display = [
        "started_at",
        "type",
        "application",
        "organization",
        "ongoing",
        "frame_count",
        "reason",
    ]
    list_filter = ["type", "ongoing", "application__job__organization"]
    search_fields = ["application__candidate__username", "reason"]
    list_select_related = ["application__candidate", "application__job__organization"]
    date_hierarchy = "started_at"

    @admin.display(description="Organization")
    def organization(self, obj: IntegrityEvent) -> str:
        return obj.application.job.organization.name


@admin.register(IdentityReference)
class IdentityReferenceAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Selfies and ID document photos, with their face templates (never shown here). Erased
    with the interview, never deleted by hand."""

    deletable = False
    list_display = ["created_at", "kind", "application", "organization", "replaced_at"]
    list_filter = ["kind", "application__job__organization"]
    search_fields = ["application__candidate__username", "file"]
    list_select_related = ["application__candidate", "application__job__organization"]
    exclude = ["descriptor"]
    date_hierarchy = "created_at"

    @admin.display(description="Organization")
    def organization(self, obj: IdentityReference) -> str:
        return obj.application.job.organization.name


@admin.register(IdentityDecision)
class IdentityDecisionAdmin(RecordAdminMixin, InvigilModelAdmin):
    deletable = False
    list_display = ["decided_at", "decision", "application", "decided_by", "note"]
    list_filter = ["decision", "application__job__organization"]
    search_fields = ["application__candidate__username", "note"]
    list_select_related = ["application__candidate", "decided_by"]
    date_hierarchy = "decided_at"


@admin.register(IncidentVerdict)
class IncidentVerdictAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Reviewers' verdicts, with the history (replaced ones, those on incidents now gone)."""

    deletable = False
    list_display = [
        "decided_at",
        "verdict",
        "incident_type",
        "incident_ref",
        "application",
        "decided_by",
        "replaced_at",
        "incident_gone_at",
    ]
    list_filter = ["verdict", "incident_type", "application__job__organization"]
    search_fields = ["application__candidate__username", "note"]
    list_select_related = ["application__candidate", "decided_by"]
    date_hierarchy = "decided_at"


@admin.register(ReviewNote)
class ReviewNoteAdmin(RecordAdminMixin, InvigilModelAdmin):
    deletable = False
    list_display = ["at", "application", "author", "text", "created_at", "edited_at"]
    list_filter = ["application__job__organization"]
    search_fields = ["application__candidate__username", "text"]
    list_select_related = ["application__candidate", "author"]
    date_hierarchy = "at"


# --- The data lifecycle -----------------------------------------------------------------------


@admin.register(ErasureJob)
class ErasureJobAdmin(RecordAdminMixin, InvigilModelAdmin):
    """Erasure receipts, kept ERASURE_RECEIPT_DAYS: read-only, as evidence."""

    deletable = False

    list_display = [
        "receipt_id",
        "kind",
        "state",
        "organization",
        "application_ids",
        "objects_deleted",
        "rows_deleted",
        "requested_by",
        "created_at",
        "erased_at",
    ]
    list_filter = ["kind", "state", "organization"]
    search_fields = ["receipt_id"]
    list_select_related = ["organization", "requested_by"]
    date_hierarchy = "created_at"


class ErasureReceiptInline(InvigilTabularInline):
    model = ErasureJob
    extra = 0
    verbose_name_plural = "erasure receipts"
    fields = ["receipt_id", "kind", "state", "objects_deleted", "rows_deleted", "erased_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# The application's page shows its receipts too (applications cannot import monitoring).
JobApplicationAdmin.add_inline(ErasureReceiptInline)
