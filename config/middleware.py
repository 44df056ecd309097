"""Middleware that must run before any request body is read."""

import json

from django.conf import settings
from django.http import HttpResponse


class ApiBodySizeLimitMiddleware:
    """Refuse an API request whose declared body exceeds the upload limit, before parsing.

    The check reads only the Content-Length header, so a 12 MB body is refused without being
    read into memory. Bodies without a length (chunked) are bounded later by Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE, which the exception handler also turns into a JSON 413.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.MONITORING_UPLOAD_MAX_BYTES
            if length > limit:
                body = {
                    "success": False,
                    "message": f"Request body too large: {length} bytes, the limit is {limit}.",
                    "code": "request_too_large",
                }
                return HttpResponse(json.dumps(body), status=413, content_type="application/json")
        return self.get_response(request)
