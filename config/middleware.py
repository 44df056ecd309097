"""Middleware of the whole site: body limits for the non-ASGI paths, error answers, CSP scope."""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import get_resolver

from common.db import BUSY_RETRY_AFTER, is_pool_exhausted

from .exceptions import api_error_response, busy_body
from .limits import body_limit, too_large_body

logger = logging.getLogger("invigil.errors")


class BodySizeLimitMiddleware:
    """The declared body limit, for requests that do not come through config.asgi (the test
    client, WSGI). Under ASGI, config.bodylimit answers first and also counts chunked bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request.path)
        if length > limit:
            return HttpResponse(
                too_large_body(f"{length} bytes declared", limit),
                status=413,
                content_type="application/json",
            )
        return self.get_response(request)


class ErrorIdMiddleware:
    """Error answers of the whole site, the same in every mode.

    - An unexpected exception gets an id, logged at ERROR with its traceback and shown in the
      JSON 500 (config.exceptions), so a user's report leads straight to the log line.
    - A refusal (Http404, PermissionDenied, BadRequest raised by a view) is answered by the
      site's own handlers — the product's 403/404 pages, JSON under /api/ — and logged at
      INFO/WARNING without a traceback: it is the client's doing, not a fault.
    - With DEBUG on, Django answers an unknown URL with its debug page (every URL pattern
      listed) instead of handler404: it gets the site's own 404 here too.
    - Under /api/, an error answer that is still not JSON (a DEBUG page for a foreign Host
      header or a 500, a non-API view's page) becomes the contract's error shape. DRF's own
      answers pass untouched, its browsable pages included.
    """

    REFUSALS = ((Http404, 404, logging.INFO), (PermissionDenied, 403, logging.WARNING))
    REFUSALS += ((BadRequest, 400, logging.WARNING),)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and settings.DEBUG and request.resolver_match is None:
            response = _error_handler(request, 404)(request, exception=Http404(request.path))
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
            and not hasattr(response, "accepted_renderer")  # DRF chose the format
        ):
            response = _json_instead(request, response)
        return response

    def process_exception(self, request, exception):
        if is_pool_exhausted(exception):  # overload, not a fault: 503 with Retry-After
            logger.warning("Database pool exhausted on %s %s", request.method, request.path)
            response = JsonResponse(busy_body(), status=503)
            response["Retry-After"] = str(BUSY_RETRY_AFTER)
            return response
        for kind, status, level in self.REFUSALS:
            if isinstance(exception, kind):
                logger.log(
                    level, "Refused %s %s (%s): %s", request.method, request.path, status, exception
                )
                return _error_handler(request, status)(request, exception=exception)
        request.error_id = uuid.uuid4().hex[:12]
        logger.error(
            "Unhandled error %s on %s %s",
            request.error_id,
            request.method,
            request.path,
            exc_info=exception,
        )
        return None


def _error_handler(request, status: int):
    """The site's handler400/403/404 (config.urls), as Django itself finds them."""
    return get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(status)


KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Connection")


def _json_instead(request, response):
    replacement = api_error_response(request, response.status_code)
    for name in KEPT_HEADERS:
        if name in response:
            replacement[name] = response[name]
    return replacement


class ThirdPartyPageCspMiddleware:
    """DRF's browsable API and Swagger UI put inline styles (`<style>` elements and `style`
    attributes) in their markup: on those HTML pages under /api/ only, inline styles are
    allowed; inline scripts never are. Our own pages get no exception."""

    PREFIXES = ("/api/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.PREFIXES) and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
            # Replaced, not added to: beside 'none' a browser ignores the source and logs an
            # error ("contains the keyword 'none' alongside other source expressions").
            response._csp_replace = {"style-src-attr": ["'unsafe-inline'"]}
        return response
