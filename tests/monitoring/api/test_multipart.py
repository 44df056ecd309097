"""The upload URL also takes multipart/form-data (what the page sends): the same checks, the
same stored result, the same idempotency as the base64 JSON form; one image, never two."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from monitoring.models import MonitoringImage
from tests.monitoring.conftest import b64, bucket_keys, image_bytes

pytestmark = pytest.mark.django_db


def _url(app) -> str:
    return f"/api/applications/{app.id}/monitoring-images/"


def _file(data: bytes, name="camera.jpg", kind="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


def test_a_multipart_upload_is_stored_like_a_base64_one(consented, s3, token_client_for):
    client = token_client_for(consented.candidate)
    client_id = str(uuid.uuid4())
    body = {"image_type": "camera", "image": _file(image_bytes(exif=True)), "client_id": client_id}
    response = client.post(_url(consented.application), body, format="multipart")
    assert response.status_code == 201, response.json()
    key = response.json()["s3Key"]
    assert bucket_keys(s3) == [key]
    stored = s3.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (640, 480) and not image.getexif()

    again = {"image_type": "camera", "image": _file(image_bytes()), "client_id": client_id}
    repeat = client.post(_url(consented.application), again, format="multipart")
    assert repeat.status_code == 200 and repeat.json()["s3Key"] == key
    assert MonitoringImage.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "required"),  # neither
        ({"image_data": b64(image_bytes())}, "invalid"),  # both at once
    ],
)
def test_exactly_one_image_is_sent(consented, s3, token_client_for, fields, code):
    body = {"image_type": "camera", "image": _file(image_bytes()), **fields}
    if not fields:
        body.pop("image")
    response = token_client_for(consented.candidate).post(
        _url(consented.application), body, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["success"] is False and response.json()["code"] == code
    assert bucket_keys(s3) == [] and not MonitoringImage.objects.exists()


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", image_bytes()[:2000], b"GIF89a" + b"\x00" * 100],
)
def test_a_file_that_is_not_a_whole_image_is_refused(consented, s3, token_client_for, data):
    response = token_client_for(consented.candidate).post(
        _url(consented.application),
        {"image_type": "screen", "image": _file(data)},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["success"] is False
    assert bucket_keys(s3) == [] and not MonitoringImage.objects.exists()


def test_the_json_form_of_the_seed_still_works(consented, s3, token_client_for):
    response = token_client_for(consented.candidate).post(
        _url(consented.application),
        {"image_type": "camera", "image_data": b64(image_bytes())},
        format="json",
    )
    assert response.status_code == 201
