"""API tokens: issued on sign-in, renewed once expired, revoked on request."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from .authentication import token_expired
from .models import User


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The user's token; a new one when the old has expired (API_TOKEN_TTL)."""
    token, created = Token.objects.select_for_update().get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def token_revoke(*, user: User) -> int:
    """Revoke the user's API token (a new sign-in issues another). Returns how many went."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
