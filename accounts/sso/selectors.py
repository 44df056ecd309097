"""Which organization's provider signs whom in, and who may not use a password."""

from accounts.models import Organization, User


def organization_for_sso_slug(slug: str) -> Organization | None:
    organization = Organization.objects.filter(slug=slug).first()
    return organization if organization is not None and organization.sso_enabled else None


def organization_for_sso_email(email: str) -> Organization | None:
    """The organization with single sign-on whose allowed domains include this address's."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return None
    candidates = Organization.objects.exclude(sso_issuer="").exclude(sso_client_id="")
    candidates = candidates.filter(sso_email_domains__icontains=domain)
    return next((o for o in candidates if domain in o.sso_domains), None)


def organizations_with_sso() -> list[Organization]:
    return list(Organization.objects.exclude(sso_issuer="").exclude(sso_client_id=""))


def password_signin_refusal(user: User) -> str | None:
    """Why this user may not sign in with a password, or None. Staff of an organization that
    requires single sign-on use its provider; candidates and admins outside such an
    organization keep their passwords."""
    organization = user.organization if user.organization_id else None
    if (
        organization is not None
        and organization.sso_required
        and organization.sso_enabled
        and (user.is_staff_role or user.is_superuser)
    ):
        return (
            f"{organization.name} signs its staff in through single sign-on: choose "
            f"“Sign in with single sign-on” and use your {organization.name} account."
        )
    return None
