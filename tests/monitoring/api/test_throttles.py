"""Per-interview limits are spent only by callers who may record there (issue 26, point 2).

Uploads and page events are limited per application; a request answered 401, 403 or 404 is
counted by nobody's window, so another organization's user cannot use up John's.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import MonitoringConsentFactory
from tests.monitoring.conftest import b64, image_bytes

pytestmark = pytest.mark.django_db

JPEG = b64(image_bytes(size=(64, 48)))


def _capture(client, application_id: int):
    return client.post(
        f"/api/applications/{application_id}/monitoring-images/",
        {"image_type": "camera", "image_data": JPEG},
        format="json",
    )


def _event(client, application_id: int):
    return client.post(
        f"/api/applications/{application_id}/events/", {"type": "tab_visible"}, format="json"
    )


def test_another_organizations_captures_do_not_spend_johns_upload_limit(
    acme, globex, token_client_for, limits_on
):
    MonitoringConsentFactory(application=acme.application)
    john = acme.application.pk
    strangers = [token_client_for(globex.candidate), token_client_for(globex.recruiter)]
    for _ in range(25):  # above the burst of 20
        for client in strangers:
            assert _capture(client, john).status_code == 404
        assert _capture(APIClient(), john).status_code == 401
    assert _capture(token_client_for(acme.candidate), john).status_code == 201


def test_refused_events_do_not_spend_johns_event_limit(acme, globex, token_client_for, limits_on):
    limits_on.RATE_LIMIT_EVENTS = "3 per 60 seconds"
    MonitoringConsentFactory(application=acme.application)
    john = acme.application.pk
    for _ in range(5):
        assert _event(token_client_for(globex.candidate), john).status_code == 404
        assert _event(token_client_for(acme.recruiter), john).status_code == 403  # sees it
        assert _event(APIClient(), john).status_code == 401
    candidate = token_client_for(acme.candidate)
    assert [_event(candidate, john).status_code for _ in range(4)] == [201, 201, 201, 429]


def test_the_limit_still_holds_for_the_candidate(acme, token_client_for, limits_on):
    limits_on.RATE_LIMIT_UPLOAD_BURST = 3
    MonitoringConsentFactory(application=acme.application)
    client = token_client_for(acme.candidate)
    statuses = [_capture(client, acme.application.pk).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
