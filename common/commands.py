"""Management commands that run one periodic sweep by hand — thin wrappers over a service, as
Django's `clearsessions` wraps its cleanup (beat and the embedded runner run the same service
on their schedule)."""

from collections.abc import Callable

from django.core.management.base import BaseCommand


class SweepCommand(BaseCommand):
    """Subclasses name the service (`sweep = staticmethod(...)`, returning a count) and what
    the count counts (`counts`)."""

    sweep: Callable[[], int]
    counts = "item(s)"

    def handle(self, *args, **options) -> None:
        count = type(self).sweep()
        self.stdout.write(f"{count} {self.counts}")
