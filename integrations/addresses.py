"""Which URLs a webhook may call (server-side request forgery).

A webhook URL is typed by a customer and called by our servers, from inside our network: left
alone it could reach the database, Redis, the cloud's metadata service. So:

- https only, unless DEBUG (a developer's machine); no user:password@ in the URL;
- every address the name resolves to must be public — not private, loopback, link-local,
  multicast, reserved or unspecified — unless WEBHOOK_ALLOW_PRIVATE lets private, loopback and
  link-local ones through (never unspecified or multicast);
- the check is made on the address actually connected to: integrations/transport.py resolves
  once, checks here, and connects to that same address (the name goes in the Host header and
  the TLS SNI), so a name that resolves to a public address when checked and to 127.0.0.1 a
  moment later (DNS rebinding) never reaches 127.0.0.1. Redirects are not followed.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_URL_LENGTH = 2000


# What WEBHOOK_ALLOW_PRIVATE lets through: private networks (RFC 1918, unique local), and
# loopback and link-local (below). Documentation, shared (CGNAT) and reserved ranges never.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


class AddressRefused(Exception):
    """The URL may not be called; the message says why in words a customer understands."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name (or address literal) as the certificate and Host header see it
    port: int
    path: str  # path and query, what goes on the request line

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def url_parse(url: str) -> Target:
    """The parts of a webhook URL, or AddressRefused (scheme, credentials, malformed)."""
    if not url or len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"The URL must be 1 to {MAX_URL_LENGTH} characters long.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise AddressRefused("The URL is not valid.") from None
    schemes = ("https", "http") if settings.DEBUG else ("https",)
    if parts.scheme not in schemes:
        raise AddressRefused(
            "The URL must start with https://."
            if not settings.DEBUG
            else "The URL must start with https:// or http://."
        )
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("The URL may not carry a user name or password.")
    host = parts.hostname or ""
    if not host:
        raise AddressRefused("The URL has no host name.")
    try:
        host.encode("idna")
    except UnicodeError:
        raise AddressRefused("The URL's host name is not valid.") from None
    default = 443 if parts.scheme == "https" else 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or default, path)


def address_allowed(address: str) -> bool:
    """Whether an address may be connected to (see the module's rules)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone is not part of it
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_unspecified or ip.is_multicast:
        return False
    if ip.is_global:
        return True
    private = any(ip in network for network in PRIVATE_NETWORKS if network.version == ip.version)
    return settings.WEBHOOK_ALLOW_PRIVATE and (private or ip.is_loopback or ip.is_link_local)


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to, in the resolver's order (IP literals as they are)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"The host name {host} does not resolve ({exc}).") from None
    addresses = []
    for *_, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


def addresses_checked(target: Target) -> list[str]:
    """The addresses of the target's host that may be connected to: all of them, or
    AddressRefused when any is not allowed (a name that points at once outside and inside is
    refused whole, not trimmed)."""
    addresses = resolve(target.host, target.port)
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        where = "is" if refused[0] == target.host else f"resolves to {refused[0]},"
        raise AddressRefused(
            f"{target.host} {where} a private, loopback, link-local or reserved address; "
            "webhooks are only sent to public addresses."
        )
    if not addresses:
        raise AddressRefused(f"The host name {target.host} does not resolve.")
    return addresses


def url_check(url: str) -> Target:
    """Refuse a URL that may not be called now (AddressRefused, with the reason)."""
    target = url_parse(url)
    addresses_checked(target)
    return target
