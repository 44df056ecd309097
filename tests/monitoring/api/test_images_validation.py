"""Bad input: each is a JSON 4xx with success false, and nothing is stored (S3 or rows)."""

import base64
import io
import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from applications.models import JobApplication, MonitoringConsent
from monitoring.models import MonitoringImage
from tests.monitoring.conftest import b64, bucket_keys, image_bytes

pytestmark = pytest.mark.django_db


def _png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG declaring 20000×20000 px (what a decompression bomb looks like)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * width
    data = zlib.compress(row * 16, 9)  # far too few rows, but the header is what matters
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _other_format(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, format=fmt)
    return out.getvalue()


JPEG = image_bytes()
BAD_PAYLOADS = {
    "not base64": (
        {"image_type": "camera", "image_data": "this is not base64!!"},
        400,
        "invalid_base64",
    ),
    "base64 of text": (
        {"image_type": "camera", "image_data": b64(b"hello, I am a text file")},
        400,
        "unsupported_image_type",
    ),
    "truncated jpeg": (
        {"image_type": "camera", "image_data": b64(JPEG[: len(JPEG) // 2])},
        400,
        "corrupt_image",
    ),
    "empty": ({"image_type": "camera", "image_data": ""}, 400, "empty_image"),
    "png bomb": ({"image_type": "screen", "image_data": b64(_png_bomb())}, 400, "image_too_large"),
    "gif": (
        {"image_type": "camera", "image_data": b64(_other_format("GIF"))},
        400,
        "unsupported_image_type",
    ),
    "tiff": (
        {"image_type": "camera", "image_data": b64(_other_format("TIFF"))},
        400,
        "unsupported_image_type",
    ),
    "svg": (
        {
            "image_type": "camera",
            "image_data": "data:image/svg+xml;base64,"
            + b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        },
        400,
        "unsupported_image_type",
    ),
    "svg as plain base64": (
        {"image_type": "camera", "image_data": b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>")},
        400,
        "unsupported_image_type",
    ),
    "unknown image_type": (
        {"image_type": "webcam", "image_data": b64(JPEG)},
        400,
        "invalid_choice",
    ),
    "jpeg with appended html": (
        {
            "image_type": "camera",
            "image_data": b64(JPEG + b"<html><script>alert(1)</script></html>"),
        },
        400,
        "trailing_data",
    ),
    "captured_at far in the future": (
        {
            "image_type": "camera",
            "image_data": b64(JPEG),
            "captured_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        },
        400,
        "captured_at_in_future",
    ),
    "captured_at too old": (
        {
            "image_type": "camera",
            "image_data": b64(JPEG),
            "captured_at": (timezone.now() - timedelta(days=2)).isoformat(),
        },
        400,
        "captured_at_too_old",
    ),
    "bad client_id": (
        {"image_type": "camera", "image_data": b64(JPEG), "client_id": "x"},
        400,
        "invalid",
    ),
    "missing image_data": ({"image_type": "camera"}, 400, "required"),
    "nul and non-ascii in base64": (
        {"image_type": "camera", "image_data": "AAAA\u0000é=="},
        400,
        "invalid_base64",
    ),
}


def _assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["message"]


@pytest.mark.parametrize("case", list(BAD_PAYLOADS))
def test_bad_input_is_refused_and_nothing_stored(consented, s3, token_client_for, case):
    payload, status, code = BAD_PAYLOADS[case]
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/monitoring-images/", payload, format="json"
    )
    _assert_refused(response, status, code)
    assert bucket_keys(s3) == []
    assert not MonitoringImage.objects.exists()


def test_twelve_megabyte_body_is_413_before_parsing(consented, s3, token_client_for):
    body = '{"image_type": "camera", "image_data": "' + "A" * (12 * 1024 * 1024) + '"}'
    response = token_client_for(consented.candidate).generic(
        "POST",
        f"/api/applications/{consented.application.id}/monitoring-images/",
        body,
        content_type="application/json",
    )
    _assert_refused(response, 413, "request_too_large")
    assert bucket_keys(s3) == []


def test_unknown_application_is_404(consented, s3, token_client_for):
    response = token_client_for(consented.candidate).post(
        "/api/applications/999999/monitoring-images/",
        {"image_type": "camera", "image_data": b64(JPEG)},
        format="json",
    )
    _assert_refused(response, 404, "application_not_found")
    assert bucket_keys(s3) == []


def test_no_consent_is_409(acme, s3, token_client_for):
    response = token_client_for(acme.candidate).post(
        f"/api/applications/{acme.application.id}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(JPEG)},
        format="json",
    )
    _assert_refused(response, 409, "consent_required")
    assert bucket_keys(s3) == []


def test_withdrawn_consent_is_409(consented, s3, token_client_for):
    MonitoringConsent.objects.filter(application=consented.application).update(
        withdrawn_at=timezone.now()
    )
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(JPEG)},
        format="json",
    )
    _assert_refused(response, 409, "consent_required")
    assert bucket_keys(s3) == []
    assert not MonitoringImage.objects.exists()


@pytest.mark.parametrize("status", ["invited", "completed", "withdrawn"])
def test_application_not_in_progress_is_409(consented, s3, token_client_for, status):
    JobApplication.objects.filter(pk=consented.application.pk).update(status=status)
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(JPEG)},
        format="json",
    )
    _assert_refused(response, 409, "application_not_active")
    assert bucket_keys(s3) == []


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(consented, s3, token_client_for, fmt):
    data = image_bytes(fmt, size=(320, 240), mode="RGBA" if fmt == "PNG" else "RGB")
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/monitoring-images/",
        {"image_type": "screen", "image_data": base64.b64encode(data).decode()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    stored = s3.get_object(Bucket=s3.bucket, Key=response.json()["s3Key"])["Body"].read()
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


def test_late_capture_keeps_its_capture_time(consented, s3, token_client_for):
    captured = timezone.now() - timedelta(hours=3)
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(JPEG), "captured_at": captured.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert MonitoringImage.objects.get().captured_at == captured
