"""API tokens that expire: after API_TOKEN_TTL seconds a token answers 401 `token_expired`
(the client asks POST /api/auth/token/ for a new one)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expired(token) -> bool:
    return token.created < timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                "This token has expired; ask POST /api/auth/token/ for a new one.",
                code="token_expired",
            )
        return user, token
