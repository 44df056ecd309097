"""The second factor's pages: give the code at sign-in, set up an authenticator app, see and
renew recovery codes. They serve a sign-in waiting for its factor (accounts.mfa.pending) as
well as a signed-in session."""

from base64 import b32encode

import segno
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login

from common.errors import ServiceError

from .pending import pending_finish, pending_next, pending_user
from .services import (
    authenticator_enrolment_confirm,
    authenticator_enrolment_start,
    has_second_factor,
    may_enrol,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_required,
    second_factor_verify,
)


def _subject(request):
    """(user, waiting): the signed-in user, else the sign-in waiting for its factor."""
    if request.user.is_authenticated:
        return request.user, False
    return pending_user(request), True


def _next(request, fallback: str = "") -> str:
    url = request.POST.get("next") or request.GET.get("next") or fallback
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and safe else reverse("home")


def _signed_in(request, user, device, waiting: bool) -> str:
    """Finish the sign-in (or verify the session) with `device`; where to go next."""
    if waiting:
        return _next(request, pending_finish(request, user=user, device=device))
    otp_login(request, device)
    return _next(request)


class SecondFactorVerifyView(View):
    """`/accounts/second-factor/verify/`: the code from the authenticator, or a recovery code."""

    template_name = "registration/second_factor_verify.html"

    def _context(self, request, **extra):
        return {"next": request.POST.get("next") or request.GET.get("next", ""), **extra}

    def get(self, request):
        user, waiting = _subject(request)
        if user is None:
            return redirect("login")
        if not has_second_factor(user):
            return redirect(f"{reverse('second-factor')}?{request.GET.urlencode()}")
        if not waiting and request.user.is_verified():
            return redirect(_next(request))
        return render(request, self.template_name, self._context(request))

    def post(self, request):
        user, waiting = _subject(request)
        if user is None:
            return redirect("login")
        result = second_factor_verify(user=user, code=request.POST.get("code", ""))
        if result.device is not None:
            return redirect(_signed_in(request, user, result.device, waiting))
        if result.locked_until is not None:
            error, status = "Too many wrong codes. Wait a few seconds, then try again.", 429
        else:
            error, status = (
                "That code is not right. Type the six digits your authenticator app shows "
                "now, or one of your recovery codes.",
                400,
            )
        return render(
            request, self.template_name, self._context(request, error=error), status=status
        )


class SecondFactorView(View):
    """`/accounts/second-factor/`: set up an authenticator app (a QR code, then one of its
    codes), or, once set up, how many recovery codes are left and new ones."""

    def get(self, request):
        user, waiting = _subject(request)
        if user is None:
            return redirect("login")
        if not may_enrol(user):
            raise Http404("Candidates sign in with their password.")
        if has_second_factor(user):
            if waiting or not request.user.is_verified():
                return redirect(f"{reverse('second-factor-verify')}?{request.GET.urlencode()}")
            return render(
                request,
                "registration/second_factor.html",
                {"codes_left": recovery_codes_left(user), "required": second_factor_required(user)},
            )
        return self._enrol_page(request, user)

    def post(self, request):
        user, waiting = _subject(request)
        if user is None:
            return redirect("login")
        if not may_enrol(user):
            raise Http404("Candidates sign in with their password.")
        if request.POST.get("action") == "renew":
            if waiting or not request.user.is_verified():
                return redirect("second-factor-verify")
            codes = recovery_codes_renew(user=user)
            return render(
                request, "registration/second_factor_codes.html", {"codes": codes, "next": ""}
            )
        if has_second_factor(user):
            return redirect("second-factor-verify")
        try:
            device, codes = authenticator_enrolment_confirm(
                user=user, code=request.POST.get("code", "")
            )
        except ServiceError as error:
            return self._enrol_page(request, user, error=error.message, status=400)
        next_url = _signed_in(request, user, device, waiting)
        return render(
            request, "registration/second_factor_codes.html", {"codes": codes, "next": next_url}
        )

    def _enrol_page(self, request, user, *, error: str = "", status: int = 200):
        device = authenticator_enrolment_start(user=user)
        secret = b32encode(device.bin_key).decode()
        context = {
            "qr": segno.make(device.config_url, micro=False).svg_data_uri(scale=5, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": second_factor_required(user),
            "waiting": request.user.is_anonymous,
            "next": request.POST.get("next") or request.GET.get("next") or pending_next(request),
            "error": error,
        }
        return render(request, "registration/second_factor_enrol.html", context, status=status)
