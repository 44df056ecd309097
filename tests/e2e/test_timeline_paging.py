"""The review timeline reads every page event and camera event through the paged listings
(`?since=&limit=`): static/monitoring/timeline-data.js's getAllSince in a real browser, with
a page boundary falling inside a run of events that share one instant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.factories import CameraEventFactory, MonitoringEventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCRIPT = """async ({ applicationId }) => {
  const { getAllSince } = await import("/static/monitoring/timeline-data.js");
  const api = `/api/applications/${applicationId}`;
  const events = await getAllSince(`${api}/events/`, 3);
  const camera = await getAllSince(`${api}/camera-events/`, 3);
  return { events: events.map((e) => e.id), camera: camera.map((e) => e.id) };
}"""


def test_every_event_is_read_across_pages_even_at_a_shared_instant(acme, page, base_url, password):
    start = timezone.now() - timedelta(minutes=5)
    # Seconds 0, 1, 2, 2, 2, 3, 4: the first page of three ends inside the run at second 2.
    seconds = [0, 1, 2, 2, 2, 3, 4]
    events = [
        MonitoringEventFactory(
            application=acme.application, occurred_at=start + timedelta(seconds=s)
        )
        for s in seconds
    ]
    camera = [
        CameraEventFactory(application=acme.application, occurred_at=start + timedelta(seconds=s))
        for s in seconds
    ]
    login(page, base_url, "rita", password)
    result = page.evaluate(SCRIPT, {"applicationId": acme.application.id})
    assert result["events"] == [e.id for e in events]
    assert result["camera"] == [e.id for e in camera]
