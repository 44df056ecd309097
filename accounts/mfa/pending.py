"""A sign-in waiting for its second factor.

The password (or the organization's identity provider) said who it is, but the session is
not signed in yet: no page, API call or socket treats it as anyone until the code is given.
The session holds only whom it waits for, how they proved it, and where they were going; it
is forgotten after SECOND_FACTOR_PENDING_SECONDS."""

import time

from django.conf import settings
from django.contrib.auth import login
from django_otp import login as otp_login

from accounts.models import User

PENDING = "invigil.signin.pending"


def pending_start(request, *, user: User, backend: str, next_url: str = "") -> None:
    request.session[PENDING] = {
        "user_id": user.pk,
        "backend": backend,
        "next": next_url,
        "at": int(time.time()),
    }


def pending_user(request) -> User | None:
    data = request.session.get(PENDING)
    if not data:
        return None
    if time.time() - data.get("at", 0) > settings.SECOND_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return User.objects.filter(pk=data["user_id"], is_active=True).first()


def pending_next(request) -> str:
    return (request.session.get(PENDING) or {}).get("next", "")


def pending_finish(request, *, user: User, device) -> str:
    """Sign the waiting user in, verified by `device`; returns where they were going."""
    data = request.session.pop(PENDING, None) or {}
    user.backend = data.get("backend") or settings.AUTHENTICATION_BACKENDS[-1]
    login(request, user)
    otp_login(request, device)
    return data.get("next", "")


def pending_cancel(request) -> None:
    request.session.pop(PENDING, None)
