"""WebSocket handshake headers as a browser on the test site sends them."""

HOST = b"testserver"
ORIGIN = b"http://testserver"


def handshake(*, cookie: str | None = None, origin: bytes = ORIGIN, host: bytes = HOST) -> list:
    headers = [(b"origin", origin), (b"host", host)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return headers


def session_cookie(user) -> str:
    """A signed-in session for `user`, as the sessionid cookie's value."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def next_frame(ws, kind: str, timeout: float = 15) -> dict:
    """The next frame of type `kind` on an aiohttp socket (others are skipped)."""
    import asyncio

    import aiohttp

    async def wait():
        while True:
            message = await ws.receive()
            assert message.type == aiohttp.WSMsgType.TEXT, message
            body = message.json()
            if body["type"] == kind:
                return body

    return await asyncio.wait_for(wait(), timeout)
