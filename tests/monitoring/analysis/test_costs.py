"""What one analysed frame costs (issue 40). The analysis worker's CPU went mostly to its own
database round trips (50 per frame) and to how it read the frame and told the sockets; these
tests hold the cheaper forms so that a change that brings one back is seen."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.services import camera_stream_incident
from monitoring.analysis import services
from monitoring.analysis.services import image_analyze
from monitoring.models import FrameAnalysis, IntegrityEvent, IntegritySummary
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


def test_a_new_frame_at_the_end_of_an_interview_costs_at_most_30_queries(acme):
    """Identity checked (the default) and no deleted frame: the frame's row, its neighbours, one
    upsert of its analysis, both tracks' windows, the silence around it, the board card and
    the candidate's page: 28. It was 50 (update_or_create alone was eight round trips)."""
    app = acme.application
    for n in range(3):
        _analysed(app, n * 10, CLEAN[n % 2])
    image = store_frame(app, CLEAN[1], T0 + timedelta(seconds=30))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    assert FrameAnalysis.objects.filter(image=image).exists()
    assert len(context.captured_queries) <= 30, "\n".join(_sql(context))
    upserts = [s for s in _sql(context) if s.startswith('INSERT INTO "monitoring_frameanalysis"')]
    assert len(upserts) == 1 and "ON CONFLICT" in upserts[0]


def _interview_until_now(app, names: list[str]):
    """Captures one interval apart up to a moment ago, each analysed as it arrived."""
    start = timezone.now() - timedelta(seconds=app.camera_interval * len(names))
    images = []
    for n, name in enumerate(names):
        images.append(store_frame(app, name, start + timedelta(seconds=app.camera_interval * n)))
        image_analyze(image_id=images[-1].pk)
    return images


def test_the_newest_frame_of_an_interview_under_way_takes_the_short_way(acme):
    """The analysis of the frame just taken — what nearly every analysis is — reads two rows
    of the record for the integrity update instead of both tracks' windows and the silence
    around it: 16 queries in all, 27 the windows' way (bound 18)."""
    app = acme.application
    _interview_until_now(app, [CLEAN[n % 2] for n in range(3)])
    image = store_frame(app, CLEAN[1], timezone.now() - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    assert FrameAnalysis.objects.get(image=image).flags == []
    assert len(context.captured_queries) <= 18, "\n".join(_sql(context))


def test_the_analysis_reads_the_interview_once_with_the_capture(acme):
    """The capture comes with its interview as the integrity update needs it (its rules and
    summary): the update locks the interview but reads it no more (one query fewer per
    frame, issue 40)."""
    app = acme.application
    _interview_until_now(app, [CLEAN[n % 2] for n in range(3)])
    image = store_frame(app, CLEAN[1], timezone.now() - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    reads = [
        s
        for s in _sql(context)
        if s.startswith("SELECT") and 'FROM "applications_jobapplication"' in s
    ]
    assert len(reads) == 1, reads  # the lock only (FOR NO KEY UPDATE on PostgreSQL)
    (capture,) = [
        s
        for s in _sql(context)
        if s.startswith('SELECT "monitoring_monitoringimage"')
        and '"monitoring_integritysummary"' in s
    ]
    assert '"monitoring_interviewrules"' in capture


def test_the_predecessor_comes_with_its_measures(acme, monkeypatch):
    """The frame before comes with its analysis (brightness, hash, thumbnail: what "frozen"
    compares) in the neighbour's query, not read after it; the one analysis read is the
    candidate's page's."""
    app = acme.application
    _interview_until_now(app, [CLEAN[n % 2] for n in range(3)])
    image = store_frame(app, CLEAN[1], timezone.now() - timedelta(seconds=1))
    read = []
    original = services._read
    monkeypatch.setattr(services, "_read", lambda i: read.append(i.pk) or original(i))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    analysis = FrameAnalysis.objects.get(image=image)
    assert analysis.previous_id is not None and analysis.diff_mean is not None
    assert read == [image.pk]  # the predecessor's pixels are not fetched again
    reads = [s for s in _sql(context) if s.startswith('SELECT "monitoring_frameanalysis"')]
    assert len(reads) == 1 and reads[0].endswith("LIMIT 1"), reads


def test_a_frame_that_fails_no_check_tells_the_page_from_one_analysis(acme):
    """The candidate's page hears "all fine" from the newest analysis alone; the run's fifty
    are read only to date a failing check."""
    app = acme.application
    _interview_until_now(app, [CLEAN[n % 2] for n in range(3)])
    image = store_frame(app, CLEAN[1], timezone.now() - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    (told,) = [s for s in _sql(context) if 'DESC, "monitoring_frameanalysis"."image_id" DESC' in s]
    assert told.endswith("LIMIT 1"), told


def test_an_ongoing_episode_grows_the_short_way_and_counts_every_frame(acme):
    """A camera left covered: each new frame continues the stored episode in place — one more
    frame, its end moved, the same id: 22 queries, 33 the windows' way (bound 24)."""
    app = acme.application
    images = _interview_until_now(app, [CLEAN[0], *["covered_black.jpg"] * 3])
    (episode,) = IntegrityEvent.objects.filter(application=app)
    assert (episode.type, episode.frame_count, episode.ongoing) == ("camera_covered", 3, True)
    image = store_frame(app, "covered_dark_noise.jpg", timezone.now() - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as context:
        image_analyze(image_id=image.pk)
    (grown,) = IntegrityEvent.objects.filter(application=app)
    assert (grown.id, grown.frame_count, grown.ongoing) == (episode.id, 4, True)
    assert grown.ended_at == image.captured_at
    assert grown.image_ids == [i.pk for i in images[1:]] + [image.pk]
    assert len(context.captured_queries) <= 24, "\n".join(_sql(context))


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


def test_an_interview_that_ends_during_the_analysis_keeps_no_episode_going(acme, monkeypatch):
    """The analysis reads the interview with the capture, before its detector runs; the
    interview may end meanwhile (and its end closes every episode). The frame's update then
    decides by the interview as it stands under its lock: no episode left ongoing."""
    from applications.models import JobApplication
    from monitoring.integrity.services import integrity_rebuild

    app = acme.application
    _interview_until_now(app, [CLEAN[0], *["covered_black.jpg"] * 3])
    assert IntegrityEvent.objects.get(application=app).ongoing
    image = store_frame(app, "covered_dark_noise.jpg", timezone.now() - timedelta(seconds=1))
    measure = services._measure

    def interview_ends_meanwhile(*args, **kwargs):
        JobApplication.objects.filter(pk=app.pk).update(
            status=JobApplication.Status.COMPLETED, completed_at=timezone.now()
        )
        integrity_rebuild(application_id=app.pk)  # what the end does
        return measure(*args, **kwargs)

    monkeypatch.setattr(services, "_measure", interview_ends_meanwhile)
    image_analyze(image_id=image.pk)
    assert FrameAnalysis.objects.get(image=image).camera_covered
    assert not IntegrityEvent.objects.filter(application=app, ongoing=True).exists()
