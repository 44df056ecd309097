"""WebSocket handshake headers as a browser on the test site sends them."""

HOST = b"testserver"
ORIGIN = b"http://testserver"


def handshake(*, cookie: str | None = None, origin: bytes = ORIGIN, host: bytes = HOST) -> list:
    headers = [(b"origin", origin), (b"host", host)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return headers
