"""An ASGI wrapper that refuses oversized request bodies as they arrive.

Django's ASGI handler reads (spools) the whole body before any middleware runs, so a limit
checked there answers only after the client has sent everything. Here the declared
Content-Length is checked before a byte of the body is read, and a body without one (chunked)
is counted as it arrives: past the path's limit the request is answered with JSON 413
`request_too_large` and `Connection: close`, and the rest is never read (the ASGI server stops
reading the connection; uvicorn pauses reading once 64 KB are buffered).
"""

from .limits import body_limit, too_large_body


class _TooLarge(Exception):
    pass


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send, size_text: str, limit: int) -> None:
    body = too_large_body(size_text, limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class BodyLimitMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            return await _refuse(send, f"{declared} bytes declared", limit)

        received = 0
        started = False

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watched_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLarge:
            if not started:
                await _refuse(send, f"more than {received - 1} bytes sent", limit)
