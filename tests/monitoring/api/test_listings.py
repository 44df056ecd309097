"""The events and camera-events listings page forward: `?since=&limit=` (default 500, at
most 1000), oldest first, still plain arrays (issue 26, point 5; DESIGN.md third wave)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraEvent
from monitoring.models import MonitoringEvent
from tests.factories import CameraEventFactory, MonitoringEventFactory

pytestmark = pytest.mark.django_db

LISTINGS = {
    "events": (MonitoringEventFactory, MonitoringEvent),
    "camera-events": (CameraEventFactory, CameraEvent),
}


@pytest.fixture(params=list(LISTINGS))
def listing(request, acme):
    factory, _ = LISTINGS[request.param]
    start = timezone.now() - timedelta(hours=1)
    for i in range(5):
        factory(application=acme.application, occurred_at=start + timedelta(seconds=i))
    return f"/api/applications/{acme.application.pk}/{request.param}/"


def test_limit_and_since_page_forward_oldest_first(listing, acme, token_client_for):
    client = token_client_for(acme.recruiter)
    everything = client.get(listing).json()
    assert isinstance(everything, list) and len(everything) == 5
    first = client.get(listing, {"limit": 2}).json()
    assert first == everything[:2]
    rest = client.get(listing, {"since": first[-1]["occurred_at"], "limit": 10}).json()
    assert rest == everything[2:]


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 1001}, {"since": "yesterday"}])
def test_a_bad_page_request_is_400(listing, acme, token_client_for, query):
    response = token_client_for(acme.recruiter).get(listing, query)
    assert response.status_code == 400 and response.json()["success"] is False


@pytest.mark.parametrize("name", list(LISTINGS))
def test_a_long_record_answers_500_by_default_and_1000_at_most(name, acme, token_client_for):
    factory, model = LISTINGS[name]
    start = timezone.now() - timedelta(hours=2)
    template = factory.build(application=acme.application)
    rows = []
    for i in range(1_200):
        row = factory.build(application=acme.application, occurred_at=start + timedelta(seconds=i))
        for field in ("user", "sender"):
            if hasattr(template, f"{field}_id"):
                setattr(row, field, getattr(template, field))
        rows.append(row)
    model.objects.bulk_create(rows)
    client = token_client_for(acme.recruiter)
    url = f"/api/applications/{acme.application.pk}/{name}/"
    assert len(client.get(url).json()) == 500
    assert len(client.get(url, {"limit": 1000}).json()) == 1000
