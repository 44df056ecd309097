"""The second factor: a TOTP authenticator app and single-use recovery codes (django-otp).

Reviewers and admins may enrol; an organization may require it of its recruiters
(`Organization.second_factor_required`). A person with a confirmed authenticator gives a code
at every sign-in (page, single sign-on, API token); a recovery code stands in for it once.
An admin can reset a person's factor (audited through `second_factor_removed`)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.signals import second_factor_removed, second_factor_set_up
from common.errors import InvalidInput, ServiceError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def may_enrol(user: User) -> bool:
    """Reviewers and admins; candidates sign in as before."""
    return user.is_staff_role or user.is_superuser


def second_factor_required(user: User) -> bool:
    """The user's organization asks its staff for a second factor."""
    org = user.organization if user.organization_id else None
    return bool(may_enrol(user) and org is not None and org.second_factor_required)


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_needed(user: User) -> bool:
    """A sign-in of this user is whole only with a second factor: they have one, or their
    organization requires one (then they enrol first)."""
    if user.is_candidate and not user.is_superuser:
        return False
    return has_second_factor(user) or second_factor_required(user)


@dataclass(frozen=True)
class Verification:
    device: Device | None
    locked_until: datetime | None = None


def _throttled(device: Device) -> datetime | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    return (data or {}).get("locked_until")


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> Verification:
    """The device that accepts `code` (a six-digit code from the authenticator, or a recovery
    code, which is then spent), or none. Failed attempts slow further ones down (django-otp's
    throttling: 1, 2, 4, … seconds); `locked_until` says when the next try may be made."""
    code = "".join(str(code or "").split()).lower()[:32]
    authenticator = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    authenticator = authenticator.first()
    if authenticator is None or not code:
        return Verification(device=None)
    if code.isdigit():
        locked = _throttled(authenticator)
        if locked is not None:
            return Verification(device=None, locked_until=locked)
        return Verification(device=authenticator if authenticator.verify_token(code) else None)
    recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if recovery is None:
        return Verification(device=None)
    locked = _throttled(recovery)
    if locked is not None:
        return Verification(device=None, locked_until=locked)
    return Verification(device=recovery if recovery.verify_token(code) else None)


@transaction.atomic
def authenticator_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (the same one until it is confirmed, so a
    reload shows the same QR code)."""
    if not may_enrol(user):
        raise ServiceError("Only reviewers and admins use a second factor.", status=403)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def authenticator_enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code it shows; returns it and the new recovery codes
    (shown once). A wrong code changes nothing (400 `otp_invalid`)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    code = "".join(str(code or "").split())
    if device is None or not code.isdigit() or not device.verify_token(code):
        raise InvalidInput(
            "That code is not the one your authenticator app shows now. Type the six digits "
            "it shows for Invigil.",
            code="otp_invalid",
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    second_factor_set_up.send(sender=User, user=user)  # audited in the same transaction
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for a user with an authenticator (the old ones stop working)."""
    if not has_second_factor(user):
        raise InvalidInput("Set up an authenticator app first.", code="invalid")
    return _new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def second_factor_reset(*, user: User, actor: User, ip: str | None = None) -> int:
    """An admin removes a user's authenticator and recovery codes (a lost phone); the user
    signs in with the password alone again — or, where the organization requires a second
    factor, is sent to set one up at once. Returns the number of devices removed; audited."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
    # Audited in the same transaction (only common.pipeline defers work after a commit).
    second_factor_removed.send(sender=User, user=user, actor=actor, removed=removed, ip=ip)
    return removed
