"""Request body limits, one rule for the ASGI wrapper and the middleware behind it.

Upload paths may carry a capture (MONITORING_UPLOAD_MAX_BYTES, 8 MB); every other path
REQUEST_MAX_BYTES (1 MB). README: "Security".
"""

import json
import re

from django.conf import settings

UPLOAD_PATH = re.compile(r"^/api/applications/\d+/monitoring-images/?$")


def body_limit(path: str) -> int:
    if UPLOAD_PATH.match(path):
        return settings.MONITORING_UPLOAD_MAX_BYTES
    return settings.REQUEST_MAX_BYTES


def too_large_body(size_text: str, limit: int) -> bytes:
    return json.dumps(
        {
            "success": False,
            "message": f"Request body too large: {size_text}; the limit for this path is "
            f"{limit} bytes.",
            "code": "request_too_large",
        }
    ).encode()
