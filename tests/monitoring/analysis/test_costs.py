"""What one analysed frame costs (issue 40). The analysis worker's CPU went mostly to its own
database round trips (50 per frame) and to how it read the frame and told the sockets; these
tests hold the cheaper forms so that a change that brings one back is seen."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.services import camera_stream_incident
from monitoring.analysis.services import image_analyze
from monitoring.models import FrameAnalysis, IntegritySummary
from tests.factories import CameraStreamFactory
from tests.monitoring.conftest import store_frame

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(minutes=30)
# The flagless frames alternate, so that none is "frozen" against its predecessor.
CLEAN = ("one_face.jpg", "one_face_moved.jpg")


def _analysed(app, seconds: int, name: str):
    image = store_frame(app, name, T0 + timedelta(seconds=seconds))
    image_analyze(image_id=image.pk)
    return image


def _sql(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries]


def test_a_new_frame_at_the_end_of_an_interview_costs_at_most_32_queries(acme):
    """Identity checked (the default) and no deleted frame: the frame's row, its neighbours, one
    upsert of its analysis, both tracks' windows, the silence around it, the board card and
    the candidate's page. It was 50 (update_or_create alone was eight round trips)."""
    app = acme.application
    for n in range(3):
        _analysed(app, n * 10, CLEAN[n % 2])
    image = store_frame(app, CLEAN[1], T0 + timedelta(seconds=30))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    assert FrameAnalysis.objects.filter(image=image).exists()
    assert len(context.captured_queries) <= 32, "\n".join(_sql(context))
    upserts = [s for s in _sql(context) if s.startswith('INSERT INTO "monitoring_frameanalysis"')]
    assert len(upserts) == 1 and "ON CONFLICT" in upserts[0]


def test_a_frame_that_moves_no_points_writes_nothing_to_the_summary(acme):
    app = acme.application
    for n in range(3):
        _analysed(app, n * 10, CLEAN[n % 2])
    summary = IntegritySummary.objects.get(application=app)  # made by the first frame
    assert (summary.score, summary.penalty, summary.incident_count) == (100, 0, 0)
    image = store_frame(app, CLEAN[1], T0 + timedelta(seconds=30))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    writes = [s for s in _sql(context) if s.startswith(("UPDATE", "INSERT", "DELETE"))]
    assert not [s for s in writes if '"monitoring_integritysummary"' in s.split("(")[0]]
    assert FrameAnalysis.objects.get(image=image).flags == []


def test_a_frame_that_opens_an_incident_still_moves_the_summary(acme):
    """The write is skipped only where nothing moves: a run of faceless frames scores."""
    app = acme.application
    _analysed(app, 0, CLEAN[0])
    for n in range(1, 8):
        _analysed(app, n * 10, "no_face_coffee.jpg" if n % 2 else "no_face_cat.jpg")
    summary = IntegritySummary.objects.get(application=app)
    assert summary.incident_count == 1 and summary.penalty > 0
    assert summary.score == 100 - summary.penalty


def test_a_card_that_already_shows_the_incident_is_read_once_and_not_locked(acme):
    stream = CameraStreamFactory(user=acme.candidate, application=acme.application)
    incident = {"id": 1, "type": "no_face", "label": "No face", "since": "x", "reason": "r"}
    assert camera_stream_incident(
        user_id=stream.user_id, application_id=stream.application_id, incident=incident
    )
    with CaptureQueriesContext(connection) as context:
        changed = camera_stream_incident(
            user_id=stream.user_id, application_id=stream.application_id, incident=incident
        )
    assert changed is False
    assert len(context.captured_queries) == 1, _sql(context)
    assert "FOR UPDATE" not in context.captured_queries[0]["sql"]
    stream.refresh_from_db()
    assert stream.incident == incident
