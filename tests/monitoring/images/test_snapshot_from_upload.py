"""The board card's picture: a task of its own per camera capture, off the upload's request
(issue 40), and cheap — one conditional UPDATE, no transaction and row lock around a read."""

import io
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from common import pipeline
from monitoring import followups
from monitoring.images.services import snapshot_announce
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
    """The follow-ups an upload queues, (name, args), not run."""
    sent = []
    monkeypatch.setattr(pipeline, "enqueue", lambda task, *args: sent.append((task.name, args)))
    return sent


class _Sent(list):
    def __init__(self):
        super().__init__()
        self.audited: list[int] = []


@pytest.fixture
def board(monkeypatch):
    """What would reach the boards: (event, snapshot_url); and, beside it, how many signed
    URLs the audit held when each message left."""
    sent = _Sent()

    def broadcast(**kw):
        sent.append((kw["event"], kw["stream"].get("snapshot_url")))
        entries = AccessEvent.objects.filter(action=AccessEvent.Action.URL_ISSUED)
        sent.audited.append(entries.count())

    monkeypatch.setattr("cameras.services.board.stream_broadcast", broadcast)
    return sent


def _upload(client, application, *, captured_at=None) -> MonitoringImage:
    body = {"image_type": "camera", "image": io.BytesIO(image_bytes()), "client_id": uuid.uuid4()}
    if captured_at is not None:
        body["captured_at"] = captured_at.isoformat()
    response = client.post(
        f"/api/applications/{application.id}/monitoring-images/", body, format="multipart"
    )
    assert response.status_code == 201, response.json()
    return MonitoringImage.objects.get(file=response.json()["s3Key"])


def test_the_upload_leaves_the_board_card_to_a_task(live, queued, board, token_client_for):
    """The request writes the capture and queues; it touches no board card."""
    with CaptureQueriesContext(connection) as queries:
        image = _upload(token_client_for(live.candidate), live.application)
    assert not [q for q in queries.captured_queries if "cameras_camerastream" in q["sql"]]
    assert sorted(name for name, _ in queued) == sorted(
        [followups.ANALYZE_IMAGE.name, followups.ANNOUNCE_SNAPSHOT.name]
    )
    assert (followups.ANNOUNCE_SNAPSHOT.name, (image.pk,)) in queued
    assert board == []


def test_the_task_shows_the_picture_with_one_update_and_no_lock(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    image = _upload(token_client_for(live.candidate), live.application)
    capture = django_capture_on_commit_callbacks(execute=True)
    with CaptureQueriesContext(connection) as queries, capture:
        snapshot_announce(image_id=image.pk)
    stream = CameraStream.objects.get(user=live.candidate)
    assert (stream.snapshot_key, stream.snapshot_at) == (image.file.name, image.captured_at)
    ((event, url),) = board
    assert event == "stream.updated" and url
    # The signed URL that went to the boards is audited, as before: one entry — written
    # before the message leaves (no transaction holds the message back any more).
    (entry,) = AccessEvent.objects.filter(action=AccessEvent.Action.URL_ISSUED)
    assert (entry.s3_key, entry.image_id) == (image.file.name, image.pk)
    assert board.audited == [1]
    sql = [q["sql"] for q in queries.captured_queries if "COUNT(*)" not in q["sql"]]  # not board's
    card = [s for s in sql if "cameras_camerastream" in s]
    assert card[0].startswith("UPDATE") and len(card) == 2, card  # then the card, read
    assert not any("FOR UPDATE" in s or "SAVEPOINT" in s for s in sql), sql
    # The capture, the UPDATE, the card, the audit's capture id and its INSERT.
    assert len(sql) == 5, sql


def test_an_older_capture_does_not_replace_the_picture(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    client = token_client_for(live.candidate)
    newer = _upload(client, live.application)
    late = _upload(client, live.application, captured_at=timezone.now() - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_announce(image_id=newer.pk)
        snapshot_announce(image_id=late.pk)
    assert CameraStream.objects.get(user=live.candidate).snapshot_key == newer.file.name
    assert len(board) == 1


def test_a_card_whose_camera_is_off_keeps_the_picture_and_tells_no_board(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    image = _upload(token_client_for(live.candidate), live.application)
    with django_capture_on_commit_callbacks(execute=True):
        camera_stream_set_status(user=live.candidate, is_active=False)
    board.clear()
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_announce(image_id=image.pk)
    assert CameraStream.objects.get(user=live.candidate).snapshot_key == image.file.name
    assert board == []


def test_someone_elses_capture_never_reaches_the_card(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    image = _upload(token_client_for(live.recruiter), live.application)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_announce(image_id=image.pk)
    assert CameraStream.objects.get(user=live.candidate).snapshot_key == ""
    assert board == []


def test_a_task_run_again_tells_the_boards_again(
    live, queued, board, token_client_for, django_capture_on_commit_callbacks
):
    """A retried task (its message failed after the card was written) is not a no-op: the
    boards hear of the same picture again; the card is unchanged."""
    image = _upload(token_client_for(live.candidate), live.application)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            snapshot_announce(image_id=image.pk)
    assert [event for event, _ in board] == ["stream.updated", "stream.updated"]
    assert CameraStream.objects.get(user=live.candidate).snapshot_key == image.file.name
