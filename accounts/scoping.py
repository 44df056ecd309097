"""The one role ladder every scoped selector uses.

Admins see everything; recruiters see the rows of their own organization; candidates see their
own rows (where the model has an owner) — and anyone else sees nothing. Each selector names the
two paths from its model: to the organization and to the owning candidate.
"""

from django.db.models import Q

from .models import User


def role_scope(user: User, *, organization: str, own: str | None = None) -> Q | None:
    """A filter for what `user` may see, or None when they may see nothing.

    `organization` is the lookup from the model to an organization id (e.g.
    "job__organization_id"); `own` the lookup to the candidate's user id, or None when
    candidates may see none of these rows.
    """
    if not user.is_authenticated:
        return None
    if user.is_admin_role:
        return Q()
    if user.is_recruiter:
        if user.organization_id is None:
            return None
        return Q(**{organization: user.organization_id})
    if user.is_candidate and own is not None:
        return Q(**{own: user.pk})
    return None
