"""API tokens that expire: after API_TOKEN_TTL seconds a token answers 401 `token_expired`
(the client asks POST /api/auth/token/ for a new one).

A verified token may be remembered by this process for API_TOKEN_CACHE_SECONDS (only in the
one-process embedded mode by default): a heartbeat then needs no database at all. Deleting
the token (revocation, password change, deactivation) or saving the user forgets it here.
"""

import copy
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expired(token) -> bool:
    return token.created < timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL)


class TokenCache:
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[float, object, object]] = {}  # key → (until, user, token)

    def get(self, key: str):
        entry = self.entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        # A copy per request: a view may set attributes on request.user.
        return copy.copy(entry[1]), entry[2]

    def put(self, key: str, user, token, seconds: float) -> None:
        with self.lock:
            if len(self.entries) >= self.MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = (time.monotonic() + seconds, user, token)

    def forget_user(self, user_id: int) -> None:
        with self.lock:
            for key in [k for k, entry in self.entries.items() if entry[1].pk == user_id]:
                del self.entries[key]

    def forget_key(self, key: str) -> None:
        with self.lock:
            self.entries.pop(key, None)


token_cache = TokenCache()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        seconds = settings.API_TOKEN_CACHE_SECONDS
        cached = token_cache.get(key) if seconds > 0 else None
        if cached is not None:
            user, token = cached
        else:
            user, token = super().authenticate_credentials(key)
            if seconds > 0:
                token_cache.put(key, user, token, seconds)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                "This token has expired; ask POST /api/auth/token/ for a new one.",
                code="token_expired",
            )
        return user, token
