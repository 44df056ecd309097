from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from common.admin import InvigilModelAdmin, LocalTimesMixin

from .models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(InvigilModelAdmin):
    list_display = ["name", "slug", "member_count", "retention", "identity_check", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    fields = [
        "name",
        "slug",
        "retention_days",
        "identity_check",
        "identity_threshold",
        "document_retention_days",
        "decision_second_review",
    ]

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
