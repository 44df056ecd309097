"""The AsyncAPI 3.0 document of the sockets, at /api/asyncapi/, beside the OpenAPI schema.

Built from cameras.messages and monitoring.messages, the catalogues the consumers dispatch
by, so what it says is what the sockets do. Why a served AsyncAPI document rather than a page
of docs/: integrators read it with the same kind of tooling as the OpenAPI schema (AsyncAPI
Studio, generators, payload validators), it is versioned with the API, and it cannot go stale
in a folder.
"""

import re

from django.conf import settings
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras.messages import SOCKETS as CAMERA_SOCKETS
from cameras.messages import Message, Socket
from monitoring.messages import TIMELINE

SOCKETS = (*CAMERA_SOCKETS, TIMELINE)


def _message_id(socket: Socket, direction: str, message: Message) -> str:
    return f"{socket.name}.{direction}.{message.type}"


def _parameters(address: str) -> dict:
    """A templated address names its parameters (AsyncAPI 3.0 requires them)."""
    names = re.findall(r"{(\w+)}", address)
    if not names:
        return {}
    return {
        "parameters": {name: {"description": f"The {name.replace('_', ' ')}."} for name in names}
    }


def asyncapi_document(*, host: str, secure: bool) -> dict:
    channels, operations, messages = {}, {}, {}
    for socket in SOCKETS:
        channel_messages = {}
        for direction, action, listed in (
            ("in", "receive", socket.receives),
            ("out", "send", socket.sends),
        ):
            for message in listed:
                key = _message_id(socket, direction, message)
                messages[key] = {
                    "name": message.type,
                    "title": message.type,
                    "summary": message.summary,
                    "contentType": "application/json",
                    "payload": message.payload(),
                }
                channel_messages[key] = {"$ref": f"#/components/messages/{key}"}
                operations[f"{socket.name}.{action}.{message.type}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{socket.name}"},
                    "summary": message.summary,
                    "messages": [{"$ref": f"#/channels/{socket.name}/messages/{key}"}],
                }
        closes = "\n".join(f"- `{code}`: {why}" for code, why in sorted(socket.closes.items()))
        channels[socket.name] = {
            "address": socket.address,
            "title": socket.address,
            "description": (
                f"{socket.description}\n\nThe server accepts the handshake, then closes with:"
                f"\n{closes}\n\nFrames are JSON text, at most WEBSOCKET_MAX_MESSAGE_BYTES "
                f"({settings.WEBSOCKET_MAX_MESSAGE_BYTES} bytes)."
            ),
            "servers": [{"$ref": "#/servers/site"}],
            "messages": channel_messages,
            **_parameters(socket.address),
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Invigil sockets",
            "version": settings.SPECTACULAR_SETTINGS["VERSION"],
            "description": (
                "The WebSockets of Invigil: the live board and the candidate's presence "
                "(with live-video signalling). From the server's side: `receive` is what a "
                "client sends, `send` what the server sends. The HTTP API is at /api/schema/; "
                "the versioning rule is the same (README, 'API contract')."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "site": {
                "host": host,
                "protocol": "wss" if secure else "ws",
                "description": "This site (the sockets share its sign-in).",
                "security": [{"$ref": "#/components/securitySchemes/session"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "securitySchemes": {
                "session": {
                    "type": "httpApiKey",
                    "in": "cookie",
                    "name": settings.SESSION_COOKIE_NAME,
                    "description": "The browser session of a signed-in user.",
                }
            },
        },
    }


class AsyncApiYamlRenderer(OpenApiYamlRenderer):
    media_type = "application/yaml"
    format = "yaml"


class AsyncApiView(APIView):
    """The AsyncAPI document: JSON, or `?format=yaml`. Signed-in users, as the schema."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, AsyncApiYamlRenderer]

    @extend_schema(exclude=True)  # a document beside the OpenAPI one, like /api/schema/
    def get(self, request, format=None):
        return Response(asyncapi_document(host=request.get_host(), secure=request.is_secure()))
