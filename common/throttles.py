"""DRF throttles on the shared rate limits (common.ratelimit): a 429 `rate_limited` with a
Retry-After header, counted across processes where REDIS_URL is set."""

from rest_framework.throttling import BaseThrottle

from . import ratelimit
from .http import client_ip


class LimitsThrottle(BaseThrottle):
    """Subclasses name a scope and say, per request, the key and the rate."""

    scope = ""
    methods = ("POST",)  # reads are not limited here

    def key(self, request, view) -> tuple:
        return (client_ip(request),)

    def rate(self, request, view) -> str:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if request.method not in self.methods:
            return True
        self._key, self._rate = self.key(request, view), self.rate(request, view)
        return ratelimit.allow(self.scope, *self._key, rate=self._rate)

    def wait(self) -> int:
        return ratelimit.retry_after(self.scope, *self._key, rate=self._rate)
