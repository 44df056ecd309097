"""Who sent a request, read in one place: the client's address (limits, lockout, audit) and
what the audit log records about it."""

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class RequestInfo:
    """Who asked from where: the client's address and browser, for the audit log."""

    ip: str | None = None
    user_agent: str = ""


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in proxies)


def _is_proxy(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless that peer is one of TRUSTED_PROXIES — then
    the address it saw, the rightmost X-Forwarded-For entry that is not a trusted proxy
    (what a client writes itself stays to the left of what the proxies appended).

    uvicorn applies the same rule when started with `--forwarded-allow-ips` = TRUSTED_PROXIES
    (bin/run and the harnesses do), so REMOTE_ADDR is usually the client already and this
    finds nothing more; it also holds where no server applied it (WSGI, the test client).
    Empty TRUSTED_PROXIES (the default): no header is believed, not even from loopback.
    django-axes reads the address here too (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote is None or not forwarded or not _is_proxy(remote, networks):
        return remote
    hops = [_host(hop) for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_proxy(hop, networks):
            return hop if _valid(hop) else remote
    return hops[0] if hops and _valid(hops[0]) else remote  # every hop a proxy of ours


def _host(hop: str) -> str:
    """`198.51.100.9`, `198.51.100.9:5555`, `2001:db8::1` or `[2001:db8::1]:5555` → the host."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1:].split("]", 1)[0]
    return hop.rsplit(":", 1)[0] if hop.count(":") == 1 else hop


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def request_info(request) -> RequestInfo:
    return RequestInfo(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
    )
