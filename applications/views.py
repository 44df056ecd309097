from django import forms
from django.contrib.auth import login, password_validation
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from common.errors import InvalidInput

from . import services


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class InvitationAcceptView(View):
    """The page an invitation email links to: set a password, then go to the interview list."""

    template_name = "applications/invitation_accept.html"

    def get(self, request, token: str):
        try:
            invitation = services.invitation_from_token(token=token)
        except InvalidInput as exc:
            return render(request, self.template_name, {"error": exc.message}, status=400)
        return render(
            request, self.template_name, {"invitation": invitation, "form": SetPasswordForm()}
        )

    def post(self, request, token: str):
        try:
            invitation = services.invitation_from_token(token=token)
        except InvalidInput as exc:
            return render(request, self.template_name, {"error": exc.message}, status=400)
        form = SetPasswordForm(request.POST)
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    token=token, password=form.cleaned_data["password1"]
                )
            except InvalidInput as exc:
                form.add_error("password1", exc.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("interview-list")
        return render(
            request, self.template_name, {"invitation": invitation, "form": form}, status=400
        )
