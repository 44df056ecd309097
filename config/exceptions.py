"""One shape for every API error: `{"success": false, "message", "code"}` with a 4xx/5xx."""

import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.db import BUSY_RETRY_AFTER, is_pool_exhausted
from common.errors import ServiceError, error_body


def _first_message(detail) -> str:
    """Flatten DRF's nested error detail into one readable sentence."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            text = _first_message(value)
            return text if field in ("non_field_errors", "detail") else f"{field}: {text}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def _first_code(detail, fallback: str) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value, fallback)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0], fallback)
    return getattr(detail, "code", None) or fallback


def busy_body() -> dict:
    return error_body(
        _("The server is busy right now; nothing was changed. Retry in a few seconds."),
        "server_busy",
    )


def api_exception_handler(exc, context):
    if is_pool_exhausted(exc):
        response = Response(busy_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    if isinstance(exc, ServiceError):
        response = Response(error_body(exc.message, exc.code), status=exc.status)
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body(_("Request body too large."), "request_too_large"),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.Throttled):
        # Whole seconds, at least 1 (DRF writes "0" for a wait under a second).
        seconds = max(1, math.ceil(exc.wait or 1))
        response["Retry-After"] = str(seconds)
        response.data = error_body(
            _("Too many requests; try again in %(seconds)s s.") % {"seconds": seconds},
            "rate_limited",
        )
        return response
    if isinstance(exc, exceptions.ValidationError):
        code = _first_code(exc.detail, "invalid")
        # `errors` is always an object (the schema's Error): a bare list is the body's.
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(_first_message(exc.detail), code, errors=errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = _first_code(detail, getattr(exc, "default_code", "error"))
        message = _first_message(detail)
        if message.startswith("CSRF Failed"):
            code = "csrf_failed"
        response.data = error_body(message, code)
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


# What an error status says under /api/ when no view said more (config.middleware turns any
# other error answer there, such as Django's DEBUG pages, into this shape).
STATUS_ERRORS = {
    400: ("bad_request", "Bad request."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "Forbidden."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("request_too_large", "Request body too large."),
    429: ("rate_limited", "Too many requests; try again later."),
    500: ("server_error", "Server error."),
    503: ("server_busy", "The server is busy right now; retry in a few seconds."),
}


def api_error_response(
    request, status_code: int, code: str | None = None, message: str | None = None
) -> JsonResponse:
    """The contract's error shape for a status; a 5xx quotes the error id that
    config.middleware.ErrorIdMiddleware logged with the traceback."""
    default_code, default_message = STATUS_ERRORS.get(
        status_code, ("server_error" if status_code >= 500 else "error", "Request failed.")
    )
    code, message = code or default_code, message or default_message
    body = error_body(message, code)
    error_id = getattr(request, "error_id", None)
    if status_code >= 500 and error_id:
        body["error_id"] = error_id
        body["message"] = f"{message} Quote error id {error_id} when you report it."
    return JsonResponse(body, status=status_code)


def json_or_default(default_view, status_code: int, code: str, message: str):
    """Wrap one of Django's error views: JSON under /api/, Django's page elsewhere. A 500
    carries the error id that config.middleware.ErrorIdMiddleware logged with the traceback."""

    def view(request, exception=None, **kwargs):
        if _is_api(request):
            return api_error_response(request, status_code, code, message)
        if exception is None:
            return default_view(request, **kwargs)
        return default_view(request, exception, **kwargs)

    return view


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a form posted without its token (a page left open across a sign-in,
    say) gets the product's 403 page in every mode, not Django's (a debug page with DEBUG on);
    JSON under /api/."""
    if _is_api(request):
        return JsonResponse(
            error_body(f"CSRF Failed: {reason}", "csrf_failed"), status=status.HTTP_403_FORBIDDEN
        )
    return defaults.permission_denied(
        request,
        PermissionDenied(
            "This form has expired or was sent from elsewhere. Reload the page and try again."
        ),
    )
