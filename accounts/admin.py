from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.admin import InvigilModelAdmin, LocalTimesMixin
from common.http import client_ip

from .mfa.services import second_factor_reset
from .models import Organization, User


class OrganizationForm(forms.ModelForm):
    """The client secret is never shown again; left empty, the stored one stays."""

    sso_issuer = forms.URLField(
        label="SSO issuer",
        required=False,
        assume_scheme="https",
        help_text=Organization._meta.get_field("sso_issuer").help_text,
    )
    sso_client_secret = forms.CharField(
        label="SSO client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored secret.",
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "slug",
            "retention_days",
            "identity_check",
            "identity_threshold",
            "document_retention_days",
            "sso_issuer",
            "sso_client_id",
            "sso_client_secret",
            "sso_email_domains",
            "sso_required",
            "second_factor_required",
        ]

    def clean_sso_client_secret(self):
        return self.cleaned_data.get("sso_client_secret") or self.instance.sso_client_secret


@admin.register(Organization)
class OrganizationAdmin(InvigilModelAdmin):
    form = OrganizationForm
    list_display = [
        "name",
        "slug",
        "member_count",
        "retention",
        "identity_check",
        "sso_required",
        "second_factor_required",
        "created_at",
    ]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    fieldsets = (
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "retention_days",
                    "identity_check",
                    "identity_threshold",
                    "document_retention_days",
                    "decision_second_review",
                ]
            },
        ),
        (
            "Single sign-on (OpenID Connect)",
            {
                "description": "Register Invigil at your provider with the redirect URI "
                "<code>https://YOUR-INVIGIL/accounts/oidc/SLUG/login/callback/</code> "
                "(SLUG: this organization's slug); README, “Single sign-on and second factor”.",
                "fields": [
                    "sso_issuer",
                    "sso_client_id",
                    "sso_client_secret",
                    "sso_email_domains",
                    "sso_required",
                ],
            },
        ),
        ("Second factor", {"fields": ["second_factor_required"]}),
    )

    @admin.display(description="Retention", ordering="retention_days")
    def retention(self, obj: Organization) -> str:
        own = "" if obj.retention_days else " (default)"
        return f"{obj.retention_window_days} days{own}"

    @admin.display(description="Members")
    def member_count(self, obj: Organization) -> int:
        return obj.members.count()


@admin.register(User)
class UserAdmin(LocalTimesMixin, DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "organization",
        "is_active",
        "second_factor",
        "last_login",
    ]
    list_filter = ["role", "organization", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name", "organization__name"]
    list_select_related = ["organization"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Invigil", {"fields": ["role", "organization"]}))
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Invigil", {"fields": ["email", "role", "organization"]}),
    )
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(authenticator))

    @admin.display(description="Second factor", boolean=True, ordering="has_authenticator")
    def second_factor(self, obj: User) -> bool:
        return obj.has_authenticator

    @admin.action(description="Reset the second factor (a lost phone)")
    def reset_second_factor(self, request, queryset):
        if not request.user.is_admin_role:
            self.message_user(request, "Only admins reset a second factor.", messages.ERROR)
            return
        removed = sum(
            1
            for user in queryset
            if second_factor_reset(user=user, actor=request.user, ip=client_ip(request))
        )
        self.message_user(
            request,
            f"Second factor reset for {removed} of {queryset.count()} selected. They set it up "
            "again at their next sign-in where their organization requires it.",
            messages.SUCCESS,
        )
