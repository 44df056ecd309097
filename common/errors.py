"""The one error type services raise for a refusal the client can act on.

Services know nothing of HTTP frameworks; the API exception handler (config.exceptions)
turns a ServiceError into `{"success": false, "message", "code"}` with its status.
It lives in `common` (no app) so every app may raise it without a reverse import.
"""


def error_body(message: str, code: str, errors=None) -> dict:
    """The one shape of every refusal: `{"success": false, "message", "code"}`."""
    body = {"success": False, "message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


class ServiceError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.retry_after = retry_after  # seconds, sent as Retry-After (503s)
        if status is not None:
            self.status = status


class InvalidInput(ServiceError):
    status = 400
    default_code = "invalid"


class NotAllowed(ServiceError):
    status = 403
    default_code = "permission_denied"


class NotFound(ServiceError):
    status = 404
    default_code = "not_found"


class Conflict(ServiceError):
    status = 409
    default_code = "conflict"


class Unavailable(ServiceError):
    status = 503
    default_code = "service_unavailable"
