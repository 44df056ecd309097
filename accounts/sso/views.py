"""Where single sign-on starts: the person's work address names their organization, whose
provider is then asked (allauth's OpenID Connect flow, begun by a POST)."""

from urllib.parse import urlsplit

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View

from .selectors import organization_for_sso_email, organization_for_sso_slug


def _safe_next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    return url if ok else ""


class SsoStartView(View):
    """`/accounts/sso/`: "your work e-mail" → that organization's sign-in."""

    template_name = "registration/sso_start.html"

    def get(self, request):
        return render(request, self.template_name, {"next": _safe_next(request)})

    def post(self, request):
        email = request.POST.get("email", "")[:254]
        organization = organization_for_sso_email(email)
        if organization is None:
            return render(
                request,
                self.template_name,
                {
                    "next": _safe_next(request),
                    "email": email,
                    "error": "No organization signs in through single sign-on with that "
                    "address. Check it, or sign in with your username and password.",
                },
                status=400,
            )
        query = urlencode({"next": _safe_next(request)}) if _safe_next(request) else ""
        url = reverse("sso-organization", args=[organization.slug])
        return redirect(f"{url}?{query}" if query else url)


class SsoOrganizationView(View):
    """`/accounts/sso/<slug>/`: one button that starts the organization's sign-in. Its form
    leaves for the provider, so this page's Content-Security-Policy lets forms go there."""

    def get(self, request, slug: str):
        organization = organization_for_sso_slug(slug)
        if organization is None:
            raise Http404("No single sign-on for this organization.")
        response = render(
            request,
            "registration/sso_organization.html",
            {
                "organization": organization,
                "action": reverse("openid_connect_login", kwargs={"provider_id": slug}),
                "next": _safe_next(request),
            },
        )
        issuer = urlsplit(organization.sso_issuer)
        response._csp_update = {"form-action": [f"{issuer.scheme}://{issuer.netloc}"]}
        return response
