"""django-allauth's OpenID Connect provider, one per organization.

Each organization with single sign-on is one allauth `SocialApp` (provider `openid_connect`,
provider id = the organization's slug), built from the organization's own settings (issuer,
client id and secret) rather than kept as a second row that could drift from them. A person
the provider vouches for signs in as a recruiter of that organization when their e-mail is at
one of its allowed domains: an existing recruiter of the organization with that address is
linked once, anyone else with it (a candidate, another organization's staff) is refused, and
a new address gets a new recruiter account without a password. Sign-in then goes through the
same second-factor step as a password sign-in (accounts.mfa)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.mfa.pending import pending_start
from accounts.mfa.services import has_second_factor, second_factor_needed
from accounts.models import Organization, User

from .selectors import organizations_with_sso

PROVIDER = "openid_connect"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def social_app_for(organization: Organization) -> SocialApp:
    """The organization's provider as allauth sees it (never saved)."""
    return SocialApp(
        provider=PROVIDER,
        provider_id=organization.slug,
        name=organization.name,
        client_id=organization.sso_client_id,
        secret=organization.sso_client_secret,
        settings={"server_url": organization.sso_issuer, "oauth_pkce_enabled": True},
    )


def _refuse(request, message: str, status: int = 403):
    raise ImmediateHttpResponse(
        render(request, "socialaccount/refused.html", {"message": message}, status=status)
    )


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account side, reduced to signing in a person its provider vouched for."""

    def is_open_for_signup(self, request) -> bool:
        return False  # no self-service sign-up; single sign-on makes accounts (below)

    def pre_login(self, request, user, **kwargs):
        """A person with a second factor (or whose organization requires one) gives it
        before the session is signed in, as after a password."""
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        if second_factor_needed(user):
            pending_start(
                request, user=user, backend=BACKEND, next_url=kwargs.get("redirect_url") or ""
            )
            name = "second-factor-verify" if has_second_factor(user) else "second-factor"
            return redirect(reverse(name))
        user.backend = BACKEND
        return None

    def send_mail(self, template_prefix, email, context):
        """Invigil sends its own mail (the outbox); allauth's notices are not sent."""

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = [social_app_for(o) for o in organizations_with_sso()]
        if provider:
            apps = [a for a in apps if provider in (a.provider, a.provider_id)]
        if client_id:
            apps = [a for a in apps if a.client_id == client_id]
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # pre_social_login has checked the organization and the domain

    def send_notification_mail(self, *args, **kwargs) -> None:
        """No "account connected" mail: the audit records the sign-in."""

    def pre_social_login(self, request, sociallogin) -> None:
        organization = Organization.objects.filter(slug=sociallogin.account.provider).first()
        if organization is None or not organization.sso_enabled:
            _refuse(request, "This organization does not use single sign-on any more.")
        claims = sociallogin.account.extra_data or {}
        claims = claims.get("userinfo") or claims.get("id_token") or claims
        email = (sociallogin.user.email or claims.get("email") or "").strip()
        domain = email.lower().rpartition("@")[2]
        if not email or domain not in organization.sso_domains:
            _refuse(
                request,
                f"{organization.name}'s sign-in gave the address “{email or 'none'}”, which is "
                f"not at one of {organization.name}'s domains. Ask your administrator.",
            )
        if claims.get("email_verified") is False:
            _refuse(request, f"{organization.name}'s sign-in says “{email}” is not verified.")
        if sociallogin.is_existing:
            user = sociallogin.user
            if user.organization_id != organization.pk or not user.is_staff_role:
                _refuse(request, f"Your account is no longer a member of {organization.name}.")
            if not user.is_active:
                _refuse(request, "Your account is deactivated. Ask your administrator.")
            return
        same_address = list(User.objects.filter(email__iexact=email))
        members = [
            u for u in same_address if u.organization_id == organization.pk and u.is_staff_role
        ]
        if members:
            sociallogin.connect(request, members[0])
        elif same_address:
            _refuse(
                request,
                f"“{email}” belongs to an Invigil account that is not staff of "
                f"{organization.name}. Ask your administrator.",
            )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        organization = Organization.objects.get(slug=sociallogin.account.provider)
        user.role = User.Role.RECRUITER
        user.organization = organization
        return user
