"""Fixtures for monitoring images: a real S3 endpoint (moto in server mode), sample images."""

import base64
import io
import uuid
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from moto.server import ThreadedMotoServer
from PIL import Image

from tests.factories import MonitoringConsentFactory, MonitoringImageFactory

FRAMES = Path(__file__).resolve().parents[1] / "fixtures" / "frames"


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto S3 server on 127.0.0.1 (never its default 0.0.0.0): real HTTP, presigned URLs."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint, settings, monkeypatch):
    """Switch the default storage to S3Storage on a fresh bucket; yields a boto3 client."""
    bucket = f"invigil-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "monitoring.images.storage.S3ImageStorage",
            "OPTIONS": {
                "bucket_name": bucket,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "endpoint_url": moto_endpoint,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "object_parameters": {"ServerSideEncryption": "AES256"},
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 3600,
                "file_overwrite": True,
                "transfer_config": TransferConfig(use_threads=False),
                "client_config": BotoConfig(  # as config.settings.storage: no CRC32 pass
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            },
        },
    }
    client.bucket = bucket
    return client


def bucket_keys(s3) -> list[str]:
    listing = s3.list_objects_v2(Bucket=s3.bucket)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


def image_bytes(fmt: str = "JPEG", size=(640, 480), exif: bool = False, mode="RGB") -> bytes:
    """A real-looking photo-ish image: a gradient with noise (compresses like a webcam frame)."""
    image = Image.linear_gradient("L").resize(size).convert(mode if mode != "P" else "RGB")
    image = Image.merge(
        "RGB",
        [
            image.convert("L"),
            Image.effect_noise(size, 40),
            image.convert("L").transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        ],
    )
    if mode not in ("RGB",):
        image = image.convert(mode)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "Secret Camera Co"  # Make
        info[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
        kwargs["exif"] = info.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def consented(acme, globex):
    """Both demo applications in progress with consent given."""
    for org in (acme, globex):
        MonitoringConsentFactory(application=org.application)
    return acme


@pytest.fixture
def jpeg_b64() -> str:
    return b64(image_bytes())


def store_frame(application, name: str, captured_at: datetime, kind: str = "camera"):
    """A fixture photo (tests/fixtures/frames) stored in the default storage, with its row."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    data = (FRAMES / name).read_bytes()
    key = default_storage.save(
        f"monitoring/{application.id}/{kind}/{int(captured_at.timestamp() * 1000)}-"
        f"{uuid.uuid4()}.jpg",
        ContentFile(data),
    )
    return MonitoringImageFactory(
        application=application,
        image_type=kind,
        file=key,
        captured_at=captured_at,
        byte_size=len(data),
    )
