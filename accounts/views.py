from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import ngettext

from common import ratelimit
from common.http import client_ip

from .mfa.pending import pending_start
from .mfa.services import has_second_factor, second_factor_needed
from .passwords import password_reset_request
from .signin import address_blocked
from .sso.selectors import organizations_with_sso, password_signin_refusal


class PasswordSignInForm(AuthenticationForm):
    """Django's sign-in form; staff of an organization that requires single sign-on are
    refused (after their password matched, so the refusal tells nothing to a guesser)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = password_signin_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="sso_required")


class LoginView(auth_views.LoginView):
    """Sign in with a password; a person with a second factor gives it on the next page
    before the session is signed in (accounts.mfa)."""

    template_name = "registration/login.html"
    authentication_form = PasswordSignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso": bool(organizations_with_sso())}

    def post(self, request, *args, **kwargs):
        wait = address_blocked(request)
        if wait is not None:
            response = self.render_to_response(
                self.get_context_data(
                    blocked=ngettext(
                        "Too many failed sign-ins from your address. Try again in %(minutes)s "
                        "minute.",
                        "Too many failed sign-ins from your address. Try again in %(minutes)s "
                        "minutes.",
                        max(1, wait // 60),
                    )
                    % {"minutes": max(1, wait // 60)}
                ),
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "sso_required"):
            response.status_code = 403
        return response

    def form_valid(self, form):
        user = form.get_user()
        if not second_factor_needed(user):
            return super().form_valid(form)
        pending_start(
            self.request, user=user, backend=user.backend, next_url=self.get_redirect_url()
        )
        name = "second-factor-verify" if has_second_factor(user) else "second-factor"
        return redirect(reverse(name))


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)

    def save(self, **kwargs) -> None:
        """Django's view calls save(); the e-mail goes through the outbox, not from here."""
        with transaction.atomic():
            password_reset_request(email=self.cleaned_data["email"])


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot password?": the same answer for every address (no account oracle); at most
    RATE_LIMIT_PASSWORD_RESET requests per client address (429)."""

    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        rate = settings.RATE_LIMIT_PASSWORD_RESET
        if not ratelimit.allow("password_reset", client_ip(request), rate=rate):
            wait = ratelimit.retry_after("password_reset", client_ip(request), rate=rate)
            response = self.render_to_response(
                self.get_context_data(
                    blocked=ngettext(
                        "Too many requests from your address. Try again in %(minutes)s minute.",
                        "Too many requests from your address. Try again in %(minutes)s minutes.",
                        max(1, wait // 60),
                    )
                    % {"minutes": max(1, wait // 60)}
                ),
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
