from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsRecruiterOrAdmin(BasePermission):
    """Reviewers only: recruiters and admins."""

    message = "Only recruiters and admins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff_role)


class ReadOnlyOrRecruiterOrAdmin(BasePermission):
    """Everyone signed in may read (selectors scope what they see); only reviewers write."""

    message = "Only recruiters and admins may change applications and jobs."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.is_staff_role
