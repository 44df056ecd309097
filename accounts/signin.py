"""The per-address limit on failed sign-ins (django-axes locks one username from one address;
this holds back one address trying many usernames)."""

from django.conf import settings

from common import ratelimit
from common.http import client_ip

from .receivers import SIGNIN_FAILURES


def address_blocked(request) -> int | None:
    """Seconds to wait when this address has failed too often, else None."""
    ip, rate = client_ip(request), settings.RATE_LIMIT_SIGNIN_ADDRESS
    if ratelimit.exhausted(SIGNIN_FAILURES, ip, rate=rate):
        return ratelimit.retry_after(SIGNIN_FAILURES, ip, rate=rate)
    return None
