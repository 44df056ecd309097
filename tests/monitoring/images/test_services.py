"""Uploads into a real S3 endpoint (moto server): key pattern, SSE, clean JPEG, signed URLs."""

import hashlib
import io
import re
import threading
import urllib.request
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from monitoring.images.services import orphan_objects_sweep
from monitoring.models import AccessEvent, MonitoringImage
from tests.monitoring.conftest import b64, bucket_keys, image_bytes

pytestmark = pytest.mark.django_db

KEY = re.compile(r"^monitoring/(\d+)/(camera|screen)/(\d{13})-[0-9a-f-]{36}\.jpg$")


def _url(app) -> str:
    return f"/api/applications/{app.id}/monitoring-images/"


def test_upload_stores_clean_encrypted_jpeg_under_key_pattern(consented, s3, token_client_for):
    captured = timezone.now().replace(microsecond=123000) - timedelta(minutes=10)
    response = token_client_for(consented.candidate).post(
        _url(consented.application),
        {
            "image_type": "camera",
            "image_data": "data:image/jpeg;base64," + b64(image_bytes(exif=True)),
            "captured_at": captured.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["success"] is True and body["message"]
    match = KEY.match(body["s3Key"])
    assert match, body["s3Key"]
    assert match.group(1) == str(consented.application.id) and match.group(2) == "camera"
    assert int(match.group(3)) == int(captured.timestamp() * 1000)  # the capture time is kept
    assert body["timestamp"] == captured.isoformat().replace("+00:00", "Z")

    assert bucket_keys(s3) == [body["s3Key"]]
    head = s3.head_object(Bucket=s3.bucket, Key=body["s3Key"])
    assert head["ServerSideEncryption"] == "AES256"
    stored = s3.get_object(Bucket=s3.bucket, Key=body["s3Key"])["Body"].read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (640, 480)
    assert not image.getexif()
    assert b"Secret Camera Co" not in stored
    assert stored.endswith(b"\xff\xd9")
    row = MonitoringImage.objects.get()
    assert (
        row.byte_size == len(stored) and row.width == 640 and row.uploaded_by == consented.candidate
    )


def test_the_lean_put_stores_the_capture_intact(consented, s3, token_client_for):
    """One PutObject with the bytes (issue 40): the object is the row's bytes exactly
    (SHA-256), encrypted, typed, and a multipart upload still arrives whole."""
    client = token_client_for(consented.candidate)
    response = client.post(
        _url(consented.application),
        {"image_type": "camera", "image": io.BytesIO(image_bytes()), "client_id": uuid.uuid4()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    key = response.json()["s3Key"]
    stored = s3.get_object(Bucket=s3.bucket, Key=key)
    data = stored["Body"].read()
    row = MonitoringImage.objects.get()
    assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.byte_size
    assert stored["ServerSideEncryption"] == "AES256"
    assert stored["ContentType"] == "image/jpeg"


def test_the_lean_read_gives_the_stored_bytes_in_one_request(consented, s3, token_client_for):
    """The analysis reads a capture with one GetObject (issue 40: `open()` made a HeadObject
    and went through the transfer manager); the bytes are the row's, and a key that is gone
    is a FileNotFoundError as with `open()` (the task retries, then the sweep finds it)."""
    from django.core.files.storage import default_storage

    from monitoring.images.storage import read_bytes

    client = token_client_for(consented.candidate)
    response = client.post(
        _url(consented.application),
        {"image_type": "camera", "image": io.BytesIO(image_bytes()), "client_id": uuid.uuid4()},
        format="multipart",
    )
    key = response.json()["s3Key"]
    sent = []

    def record(request, **_):
        sent.append(request.method)

    events = default_storage.connection.meta.client.meta.events
    events.register("before-send.s3", record)
    try:
        data = read_bytes(key)
    finally:
        events.unregister("before-send.s3", record)
    row = MonitoringImage.objects.get()
    assert hashlib.sha256(data).hexdigest() == row.sha256
    assert sent == ["GET"]
    with pytest.raises(FileNotFoundError):
        read_bytes(key.replace(".jpg", "-gone.jpg"))


def test_presigned_url_fetches_the_bytes_and_expires_in_an_hour(
    consented, s3, token_client_for, jpeg_b64
):
    client = token_client_for(consented.recruiter)
    key = client.post(
        _url(consented.application), {"image_type": "screen", "image_data": jpeg_b64}, format="json"
    ).json()["s3Key"]
    response = client.get("/api/monitoring-images/signed-url", {"s3_key": key})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600
    assert "X-Amz-Expires=3600" in body["url"]
    with urllib.request.urlopen(body["url"]) as fetched:  # noqa: S310 - moto on loopback
        data = fetched.read()
    assert data == s3.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    assert AccessEvent.objects.filter(action="url_issued", s3_key=key).count() == 1


def test_delete_removes_object_and_row(
    consented, s3, token_client_for, jpeg_b64, django_capture_on_commit_callbacks
):
    upload = (
        token_client_for(consented.candidate)
        .post(
            _url(consented.application),
            {"image_type": "camera", "image_data": jpeg_b64},
            format="json",
        )
        .json()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client_for(consented.recruiter).delete(
            f"{_url(consented.application)}{upload['id']}/"
        )
    assert response.status_code == 204
    assert bucket_keys(s3) == []
    assert not MonitoringImage.objects.exists()
    assert AccessEvent.objects.filter(action="deleted", s3_key=upload["s3Key"]).exists()


def test_same_client_id_twice_stores_once(consented, s3, token_client_for, jpeg_b64):
    client = token_client_for(consented.candidate)
    payload = {"image_type": "camera", "image_data": jpeg_b64, "client_id": str(uuid.uuid4())}
    first = client.post(_url(consented.application), payload, format="json")
    again = client.post(_url(consented.application), payload, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["s3Key"] == first.json()["s3Key"]
    assert len(bucket_keys(s3)) == 1 and MonitoringImage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_with_one_client_id_store_once(consented, s3, jpeg_b64):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=consented.candidate).key
    payload = {"image_type": "camera", "image_data": jpeg_b64, "client_id": str(uuid.uuid4())}
    barrier = threading.Barrier(2)
    statuses = []

    def upload():
        from django.db import connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            statuses.append(
                client.post(_url(consented.application), payload, format="json").status_code
            )
        finally:
            connection.close()  # this thread's own connection, or the test database lingers

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200, 201]
    assert MonitoringImage.objects.count() == 1
    assert bucket_keys(s3) == [MonitoringImage.objects.get().file.name]


def test_s3_down_answers_503_and_stores_no_row(consented, s3, settings, token_client_for, jpeg_b64):
    from tests.processes import free_port

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {
                **settings.STORAGES["default"]["OPTIONS"],
                "endpoint_url": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            },
        },
    }
    response = token_client_for(consented.candidate).post(
        _url(consented.application), {"image_type": "camera", "image_data": jpeg_b64}, format="json"
    )
    assert response.status_code == 503
    assert response.json() == {
        "success": False,
        "message": "Image storage is unavailable; the capture was not stored. Retry shortly.",
        "code": "storage_unavailable",
    }
    assert not MonitoringImage.objects.exists()


def test_row_failure_after_write_leaves_no_orphan(
    consented, s3, token_client_for, jpeg_b64, monkeypatch
):
    """A fault we cannot cause otherwise: the database refuses the row after the S3 write."""
    from django.db import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("database went away")

    monkeypatch.setattr(MonitoringImage.objects, "create", refuse)
    client = token_client_for(consented.candidate)
    client.raise_request_exception = False
    response = client.post(
        _url(consented.application), {"image_type": "camera", "image_data": jpeg_b64}, format="json"
    )
    assert response.status_code == 500
    assert response.json()["success"] is False
    assert bucket_keys(s3) == []


def test_orphan_sweep_removes_unreferenced_objects_only(consented, s3, token_client_for, jpeg_b64):
    kept = (
        token_client_for(consented.candidate)
        .post(
            _url(consented.application),
            {"image_type": "camera", "image_data": jpeg_b64},
            format="json",
        )
        .json()["s3Key"]
    )
    orphan = f"monitoring/{consented.application.id}/camera/1-{uuid.uuid4()}.jpg"
    s3.put_object(Bucket=s3.bucket, Key=orphan, Body=b"left by a crash")
    assert orphan_objects_sweep(min_age=timedelta(hours=1)) == 0  # too young to judge
    assert orphan_objects_sweep(min_age=timedelta(0)) == 1
    assert bucket_keys(s3) == [kept]


def test_an_upload_costs_at_most_9_queries(consented, token_client_for):
    """The token (unless cached), the interview (scoped read), its consent before the body is
    read, the client id, then under the lock: the interview, its consent again (the guard),
    the row. Not a second consent read before the store, a re-read of the intervals for the
    rate limit, nor a write to stamp a start that is already stamped (issue 40: it was 12)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client_for(consented.candidate)
    for _ in range(2):  # the first stamps the start; the second is every later upload
        with CaptureQueriesContext(connection) as context:
            response = client.post(
                _url(consented.application),
                {
                    "image_type": "camera",
                    "image": io.BytesIO(image_bytes()),
                    "client_id": uuid.uuid4(),
                },
                format="multipart",
            )
        assert response.status_code == 201, response.json()
    sql = [q["sql"] for q in context.captured_queries]
    assert len(sql) <= 9, "\n".join(sql)
    assert not [s for s in sql if s.startswith('UPDATE "applications_jobapplication"')]
    consented.application.refresh_from_db()
    assert consented.application.started_at is not None
