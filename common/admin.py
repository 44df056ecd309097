"""Admin pieces every app uses."""


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
