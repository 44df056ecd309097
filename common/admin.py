"""Admin pieces every app uses."""

from datetime import UTC
from functools import cache

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.html import format_html


class RecordAdminMixin:
    """A record nobody edits in the admin: no add, no change; delete only when `deletable`
    (an audit or a receipt is never deleted by hand)."""

    deletable = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)


def local_time(value, *, seconds: bool = True) -> str:
    """A date-time as every page shows it: a <time> element that static/js/time.js writes in
    the reader's locale and time zone (the text before it runs is UTC, and says so)."""
    if value is None:
        return "—"
    value = value.astimezone(UTC) if timezone.is_aware(value) else value
    fmt = "datetime-seconds" if seconds else "datetime"
    text = value.strftime("%-d %b %Y, %H:%M:%S UTC" if seconds else "%-d %b %Y, %H:%M UTC")
    return format_html(
        '<time datetime="{}" data-format="{}">{}</time>', value.isoformat(), fmt, text
    )


@cache
def _time_column(model, name: str):
    """One column function per model field (the admin tells read-only fields by identity)."""
    field = model._meta.get_field(name)

    def column(obj):
        return local_time(getattr(obj, name))

    column.short_description = field.verbose_name
    column.admin_order_field = name
    column.__name__ = name
    return column


class LocalTimesMixin:
    """Date-times in the lists and read-only fields of the admin as the pages show them (see
    `local_time`; templates/admin/base_site.html loads the script)."""

    def _is_datetime(self, name) -> bool:
        if not isinstance(name, str):
            return False
        try:
            return isinstance(self.model._meta.get_field(name), models.DateTimeField)
        except FieldDoesNotExist:  # a method or property name, not a field
            return False

    def _swap(self, names):
        return [_time_column(self.model, n) if self._is_datetime(n) else n for n in names]

    def get_list_display(self, request):
        return self._swap(super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        return self._swap(super().get_readonly_fields(request, obj))

    def get_exclude(self, request, obj=None):
        """The read-only date-times shown as <time> columns stay out of the form."""
        excluded = list(super().get_exclude(request, obj) or [])
        readonly = super().get_readonly_fields(request, obj)
        return excluded + [n for n in readonly if self._is_datetime(n) and n not in excluded]

    def get_fields(self, request, obj=None):
        readonly = {n for n in super().get_readonly_fields(request, obj) if isinstance(n, str)}
        fields = super().get_fields(request, obj)
        return [
            _time_column(self.model, n) if n in readonly and self._is_datetime(n) else n
            for n in fields
        ]


class InvigilModelAdmin(LocalTimesMixin, admin.ModelAdmin):
    """Every model admin of the product."""


class InvigilTabularInline(LocalTimesMixin, admin.TabularInline):
    """Every inline of the product."""
