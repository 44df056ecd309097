"""Camera tests run interviews the candidate consented to (the camera refuses others, 409)."""

import pytest

from tests.factories import MonitoringConsentFactory


@pytest.fixture(autouse=True)
def _consented(request):
    for name in ("acme", "globex"):
        if name in request.fixturenames:
            MonitoringConsentFactory(application=request.getfixturevalue(name).application)
