"""Middleware of the whole site: body limits for the non-ASGI paths, error ids, CSP scope."""

import logging
import uuid

from django.http import HttpResponse, JsonResponse

from common.db import BUSY_RETRY_AFTER, is_pool_exhausted

from .exceptions import busy_body
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
    """An unexpected exception gets an id, logged with its traceback and shown in the JSON 500
    (config.exceptions), so a user's report leads straight to the log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_pool_exhausted(exception):  # overload, not a fault: 503 with Retry-After
            logger.warning("Database pool exhausted on %s %s", request.method, request.path)
            response = JsonResponse(busy_body(), status=503)
            response["Retry-After"] = str(BUSY_RETRY_AFTER)
            return response
        request.error_id = uuid.uuid4().hex[:12]
        logger.error(
            "Unhandled error %s on %s %s",
            request.error_id,
            request.method,
            request.path,
            exc_info=exception,
        )


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
            response._csp_update = {
                "style-src": ["'unsafe-inline'"],
                "style-src-attr": ["'unsafe-inline'"],
            }
        return response
