"""Same-origin check for WebSocket handshakes (the board and presence sockets).

Channels' AllowedHostsOriginValidator compares only the host name: `http://127.0.0.1:9999`
passed for a site on port 8000. Here the Origin must be exactly the site's own scheme, host and
port (as the browser reached it: the Host header, and https when the socket is wss or the
trusted proxy says so), or one of CSRF_TRUSTED_ORIGINS; the host must be in ALLOWED_HOSTS.
"""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope) -> bool:
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not validate_host(hostname, settings.ALLOWED_HOSTS):
        return False
    secure = scope.get("scheme") == "wss"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy and _header(scope, b"x-forwarded-proto") == "https":
        secure = True
    return origin == f"{'https' if secure else 'http'}://{host}"


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
