from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect
from django.urls import reverse

from .mfa.pending import pending_start
from .mfa.services import has_second_factor, second_factor_needed
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
                    blocked=f"Too many failed sign-ins from your address. Try again in "
                    f"{max(1, wait // 60)} minute{'s' if wait >= 120 else ''}."
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
