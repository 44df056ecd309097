"""The second factor's gate, for sessions that were signed in without one.

Sign-in itself asks for the code before the session is signed in (accounts.mfa.pending). A
session can still be signed in and unverified: the organization began to require a second
factor, or the person set one up in another browser. Such a session counts as no sign-in on
the API (a token still works) and is sent from every page to give or set up its factor;
sign-out and the second factor's own pages stay open."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .services import has_second_factor, second_factor_needed

OPEN_PREFIXES = ("/static/", "/accounts/logout/", "/accounts/second-factor/", "/favicon.ico")
OPEN_PATHS = ("/api/health/", "/api/health/ready/", "/privacy/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
            and request.path not in OPEN_PATHS
            and second_factor_needed(user)
        ):
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            else:
                name = "second-factor-verify" if has_second_factor(user) else "second-factor"
                return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
