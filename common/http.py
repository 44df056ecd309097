"""What the audit log records about a request, read in one place."""

from dataclasses import dataclass

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class RequestInfo:
    """Who asked from where: the client's address and browser, for the audit log."""

    ip: str | None = None
    user_agent: str = ""


def client_ip(request) -> str | None:
    """The peer address Django (or the ASGI server behind a trusted proxy) reports."""
    return request.META.get("REMOTE_ADDR") or None


def request_info(request) -> RequestInfo:
    return RequestInfo(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
    )
