"""Accounts: organizations and users made by the system (the demo; people sign up through
invitations), and API tokens: issued on sign-in, renewed once expired, revoked on request."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from .authentication import token_expired
from .models import Organization, User


def organization_ensure(*, slug: str, name: str) -> Organization:
    """The organization with this slug, made if it does not exist yet."""
    organization, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    return organization


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    role: str,
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """The user with this username, made with this password if it does not exist yet (an
    existing user is left as it is: their password may have been changed). Admins are
    superusers."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    admin = role == User.Role.ADMIN
    user = User(
        username=username,
        role=role,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=admin,
        is_superuser=admin,
    )
    user.set_password(password)
    user.save()
    return user


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


# --- What is kept about a person's sign-ins ---------------------------------------------------


def _signin_models():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return (AccessAttempt, AccessLog, AccessFailureLog)


def signin_records_erase(*, user: User, username: str) -> int:
    """Forget a person's sign-ins (django-axes' attempts, failures and log, by the username
    they used) and the name the admin's history of their account shows. Returns rows gone."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    deleted = sum(m.objects.filter(username=username).delete()[0] for m in _signin_models())
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=user.username, change_message="")
    return deleted


def signin_records_expire(*, before) -> int:
    """Sign-in records older than SIGNIN_LOG_RETENTION_DAYS go (the daily retention sweep)."""
    return sum(m.objects.filter(attempt_time__lt=before).delete()[0] for m in _signin_models())
