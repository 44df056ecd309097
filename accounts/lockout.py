"""What a locked-out sign-in sees (django-axes calls this): the API answers JSON 429
`locked_out` with Retry-After; the form shows a plain message."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.errors import error_body


def _minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    message = _(
        "Too many failed sign-ins for this account from your address. Try again in "
        "%(minutes)s minutes, or ask an administrator to unlock it."
    ) % {"minutes": _minutes()}
    retry = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(message, "locked_out"), status=429)
    else:
        response = render(
            request,
            "registration/login.html",
            {"locked_out": message, "form": None, "next": request.POST.get("next", "")},
            status=429,
        )
    response["Retry-After"] = retry
    return response
