"""Ending sessions: open sockets close, and (for the whole user) the API token goes.

Every socket of a signed-in user joins two groups: the user's (`user_group`) and its browser
session's (`session_group`). Closing sends one message to the group, which each consumer
answers by closing with 4401 — whatever process holds it (the channel layer carries it across
processes with Redis) — and it forwards nothing after it.
"""

import time
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from rest_framework.authtoken.models import Token

from common import pipeline

from .mfa.services import second_factor_needed
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


# When the browser session last made a request (accounts.middleware writes it, sockets too).
LAST_SEEN = "invigil_last_seen"
TOUCH_EVERY = 60  # seconds: a session is saved at most once a minute for this


@dataclass(frozen=True)
class Rights:
    """What a socket was opened with: a change of any of these closes it."""

    role: str
    organization_id: int | None
    is_staff: bool
    is_superuser: bool


def rights_of(user: User) -> Rights:
    return Rights(user.role, user.organization_id, user.is_staff, user.is_superuser)


def _session(session_key: str):
    """The session's data, or None when it ended or expired (the store reads nothing then)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()
    return (store, data) if store.session_key is not None else (store, None)


def session_check(*, user_id: int, session_key: str | None, rights: Rights) -> bool:
    """Whether a socket opened with this sign-in may still act: the user is active with the
    rights the socket was opened with, and (a browser socket) its session has not ended,
    expired, or stayed idle beyond SESSION_IDLE_TIMEOUT, and gave the second factor the user
    needs (one set up since, or the organization began to require one)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or rights_of(user) != rights:
        return False
    if session_key is None:
        return True
    _, data = _session(session_key)
    return session_holds(user=user, data=data)


def session_holds(*, user: User, data: dict | None) -> bool:
    """session_check on what was just read: the active user and their session's data (None:
    the session ended or expired). Reads only the user's second factor, when they need one."""
    if data is None:
        return False
    if second_factor_needed(user) and not _verified(user, data):
        return False  # signed in without the second factor it now needs (accounts.mfa)
    last_seen = data.get(LAST_SEEN)
    return last_seen is None or time.time() - last_seen <= settings.SESSION_IDLE_TIMEOUT


def _verified(user: User, data: dict) -> bool:
    """The session gave a second factor that still belongs to the user."""
    device = Device.from_persistent_id(data.get(DEVICE_ID_SESSION_KEY) or "", for_verify=False)
    return device is not None and device.user_id == user.pk


def session_touch(*, session_key: str) -> None:
    """The socket's user did something: the session is not idle (like a request)."""
    store, data = _session(session_key)
    if data is not None:
        _touch(store, data)


def session_opening(*, user: User, store) -> bool:
    """A socket opens on the sign-in its authentication just read (the active user, their
    session `store`, loaded): session_holds, and the session touched as session_touch does —
    without reading either again."""
    data = dict(store.items()) if store.session_key is not None else None
    if not session_holds(user=user, data=data):
        return False
    _touch(store, data)
    return True


def _touch(store, data: dict) -> None:
    """Stamp the session's last sign of life, at most once every TOUCH_EVERY seconds."""
    if time.time() - data.get(LAST_SEEN, 0) >= TOUCH_EVERY:
        store[LAST_SEEN] = int(time.time())
        store.save()
