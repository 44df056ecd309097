"""The board card's picture comes from the upload itself (issue 40): no task per capture, one
statement for the card, never inside the upload's transaction."""

import io
import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from common import pipeline
from monitoring import followups
from monitoring.models import AccessEvent, MonitoringImage
from tests.monitoring.conftest import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(consented, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        camera_stream_set_status(
            user=consented.candidate, is_active=True, application=consented.application
        )
    return consented


@pytest.fixture
def queued(monkeypatch):
    """The follow-ups an upload queues (by name), not run."""
    names = []
    monkeypatch.setattr(pipeline, "enqueue", lambda task, *args: names.append(task.name))
    return names


@pytest.fixture
def board(monkeypatch):
    """What would reach the boards: (event, snapshot_url)."""
    sent = []
    monkeypatch.setattr(
        "cameras.services.board.stream_broadcast",
        lambda **kw: sent.append((kw["event"], kw["stream"].get("snapshot_url"))),
    )
    return sent


def _upload(client, application, *, captured_at=None):
    body = {"image_type": "camera", "image": io.BytesIO(image_bytes()), "client_id": uuid.uuid4()}
    if captured_at is not None:
        body["captured_at"] = captured_at.isoformat()
    return client.post(
        f"/api/applications/{application.id}/monitoring-images/", body, format="multipart"
    )


def test_an_upload_shows_its_picture_on_the_board_without_a_task(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(token_client_for(live.candidate), live.application)
    assert response.status_code == 201, response.json()
    key = response.json()["s3Key"]
    assert queued == [followups.ANALYZE_IMAGE.name]  # the analysis only
    stream = CameraStream.objects.get(user=live.candidate)
    assert stream.snapshot_key == key
    assert stream.snapshot_at == MonitoringImage.objects.get().captured_at
    ((event, url),) = board
    assert event == "stream.updated" and url
    # The signed URL that went to the boards is audited, as before.
    assert AccessEvent.objects.filter(s3_key=key, action=AccessEvent.Action.URL_ISSUED).exists()


def test_the_card_is_changed_after_the_upload_commits_and_with_one_statement(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    """The upload locks the interview; a camera-on locks the stream, then the interview: the
    card's row must not be written while the upload holds the interview's lock (a deadlock),
    and it is changed by one conditional UPDATE, no row lock."""
    client = token_client_for(live.candidate)
    capture = django_capture_on_commit_callbacks(execute=True)
    with CaptureQueriesContext(connection) as queries, capture:
        assert _upload(client, live.application).status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    # The upload's transaction (a savepoint inside the test's) ends after its row's INSERT.
    stored = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "monitoring_monit'))
    released = next(i for i, s in enumerate(sql) if i > stored and "RELEASE SAVEPOINT" in s)
    streams = [i for i, s in enumerate(sql) if "cameras_camerastream" in s]
    assert streams and all(i > released for i in streams), sql
    card = [sql[i] for i in streams]
    assert card[0].startswith("UPDATE") and not any("UPDATE" in s for s in card[1:])
    assert len(card) == 2  # the UPDATE, then the live card read for the boards


def test_an_older_capture_does_not_replace_the_picture(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    client = token_client_for(live.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        newer = _upload(client, live.application).json()["s3Key"]
    with django_capture_on_commit_callbacks(execute=True):
        late = timezone.now() - timedelta(minutes=2)
        assert _upload(client, live.application, captured_at=late).status_code == 201
    assert CameraStream.objects.get(user=live.candidate).snapshot_key == newer
    assert len(board) == 1


def test_someone_elses_capture_never_reaches_the_card(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(token_client_for(live.recruiter), live.application)
    assert response.status_code == 201, response.json()
    assert CameraStream.objects.get(user=live.candidate).snapshot_key == ""
    assert board == []


def test_a_card_that_cannot_be_written_leaves_the_capture_stored(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**_):
        raise DatabaseError("the card's row could not be written")

    monkeypatch.setattr("monitoring.images.services.camera_stream_snapshot", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(token_client_for(live.candidate), live.application)
    assert response.status_code == 201, response.json()
    assert MonitoringImage.objects.filter(file=response.json()["s3Key"]).exists()
    assert "could not be written" in caplog.text
