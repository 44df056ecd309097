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


class CountAfterAccessMixin:
    """For limits per object (an interview's uploads or events): DRF checks throttles before
    the handler runs, that is before the view has found the object through a scoped selector —
    so a caller who may not see it (answered 404, or 403) would spend its owner's window.
    Views with this mixin count only once access is settled: the handler calls
    `self.count_request(request)` after its checks and before its work."""

    def check_throttles(self, request):
        """DRF's hook in `initial()`: too early here, see `count_request`."""

    def count_request(self, request) -> None:
        """Count this request in every throttle of the view (429 `rate_limited` when full)."""
        super().check_throttles(request)
