"""Ending sessions: open sockets close, and (for the whole user) the API token goes.

Every socket of a signed-in user joins two groups: the user's (`user_group`) and its browser
session's (`session_group`). Closing sends one message to the group, which each consumer
answers by closing with 4401 — whatever process holds it (the channel layer carries it across
processes with Redis) — and it forwards nothing after it.
"""

from importlib import import_module

from django.conf import settings
from rest_framework.authtoken.models import Token

from common import pipeline

from .models import User

SESSION_END = "session.end"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    return f"session.{session_key}"


def _close_on_commit(group: str, reason: str) -> None:
    pipeline.group_send(group, {"type": SESSION_END, "reason": reason})


def user_sockets_close(*, user_id: int, reason: str) -> None:
    """After commit: every open socket of this user closes and hears nothing more."""
    _close_on_commit(user_group(user_id), reason)


def session_sockets_close(*, session_key: str) -> None:
    """After commit: the sockets opened with this browser session close (signed out)."""
    _close_on_commit(session_group(session_key), "signed_out")


def user_sessions_end(*, user_id: int, reason: str, tokens: bool) -> None:
    """Close the user's sockets; with `tokens`, revoke their API token too."""
    if tokens:
        Token.objects.filter(user_id=user_id).delete()
    user_sockets_close(user_id=user_id, reason=reason)


def session_still_valid(*, user_id: int, session_key: str | None) -> bool:
    """The user is still active and, for a browser socket, its session still exists."""
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        return False
    if session_key is None:
        return True
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store().exists(session_key)
