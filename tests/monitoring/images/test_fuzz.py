"""A fuzz corpus in the suite: 1,200 damaged JPEG, PNG and WebP files, built from a fixed
seed (so a failure repeats), through the upload service; 50 of the refused ones and the named
cases through HTTP. Nothing escapes as a 500, and a refusal stores nothing."""

import base64
import io
import random

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from common.errors import ServiceError
from monitoring.images.services import monitoring_image_upload
from monitoring.models import MonitoringImage

pytestmark = pytest.mark.django_db

SEED = 20261123
PER_FORMAT = 400


def _originals() -> dict[str, list[bytes]]:
    rng = random.Random(SEED)
    out: dict[str, list[bytes]] = {"JPEG": [], "PNG": [], "WEBP": []}
    for i in range(4):
        size = (48 + 16 * i, 36 + 12 * i)
        noise = rng.randbytes(size[0] * size[1] * 3)
        image = Image.frombytes("RGB", size, noise).resize((size[0] * 2, size[1] * 2))
        for fmt, options in (
            ("JPEG", {"quality": 85, "progressive": i % 2 == 1}),
            ("PNG", {}),
            ("WEBP", {"quality": 80, "lossless": i % 2 == 1}),
        ):
            buffer = io.BytesIO()
            source = image.convert("RGBA") if fmt == "PNG" and i % 2 else image
            source.save(buffer, format=fmt, **options)
            out[fmt].append(buffer.getvalue())
    rng.shuffle(out["JPEG"])
    return out


def _damage(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One kind of damage a network, a disk or a hostile client does to a file."""
    kind = rng.choice(["flip", "truncate", "splice", "zero", "repeat", "header", "append"])
    buf = bytearray(data)
    n = len(buf)
    if kind == "flip":
        for _ in range(rng.randint(1, 24)):
            buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        buf = buf[: rng.randrange(1, n)]
    elif kind == "splice":
        at = rng.randrange(n)
        buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif kind == "zero":
        at = rng.randrange(n)
        buf[at : at + rng.randint(1, 256)] = bytes(min(256, n - at))
    elif kind == "repeat":
        at = rng.randrange(n)
        buf[at:at] = buf[at : at + rng.randint(1, 512)]
    elif kind == "header":
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(min(n, 40))] = rng.randrange(256)
    else:  # append
        buf += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return kind, bytes(buf)


def corpus() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    cases = []
    for fmt, originals in _originals().items():
        for i in range(PER_FORMAT):
            kind, data = _damage(originals[i % len(originals)], rng)
            cases.append((f"{fmt.lower()}-{i}-{kind}", data))
    return cases


def _stored_files() -> set[str]:
    try:
        return {f"monitoring/{d}" for d in default_storage.listdir("monitoring")[0]}
    except FileNotFoundError:
        return set()


def test_the_corpus_is_big_and_stable():
    cases = corpus()
    assert len(cases) >= 1000
    assert len({data for _, data in cases}) > 0.95 * len(cases)
    assert corpus()[123] == cases[123]  # same seed, same files


def test_every_damaged_file_is_stored_cleanly_or_refused_with_a_4xx(consented):
    app, refused, stored = consented.application, 0, 0
    for name, data in corpus():
        rows = MonitoringImage.objects.count()
        try:
            result = monitoring_image_upload(
                actor=consented.candidate,
                application=app,
                image_type="camera",
                image_data=base64.b64encode(data).decode(),
            )
        except ServiceError as exc:
            assert 400 <= exc.status < 500, (name, exc.status, exc.message)
            assert MonitoringImage.objects.count() == rows, name
            refused += 1
        else:
            # Damage a decoder cannot see (a flipped bit in the pixel data) still re-encodes
            # into a clean JPEG: a valid picture, stored like any other.
            stored += 1
            assert result.image.byte_size > 0
            with default_storage.open(result.image.file.name, "rb") as handle:
                assert Image.open(handle).format == "JPEG"
    assert refused > 600, (refused, stored)


def _named_cases() -> dict[str, bytes]:
    jpeg, png, webp = (_originals()[fmt][0] for fmt in ("JPEG", "PNG", "WEBP"))
    return {
        "truncated webp": webp[:40],
        "webp header only": webp[:12],
        "jpeg ends early": jpeg[: len(jpeg) // 3],
        "jpeg without its markers": jpeg[:2] + b"\x00" * 200,
        "png cut in a chunk": png[: len(png) // 2],
        "png with a broken header": png[:16] + b"\xff" * 13 + png[29:],
    }


def test_named_cases_and_fifty_refused_files_through_http(consented, token_client_for):
    client = token_client_for(consented.candidate)
    url = f"/api/applications/{consented.application.id}/monitoring-images/"
    refused = []
    for name, data in corpus():
        try:
            from monitoring.images.codec import clean_image

            clean_image(data, max_side=4096, max_pixels=16_777_216, quality=80)
        except ServiceError:
            refused.append((name, data))
        if len(refused) == 50:
            break
    files_before = _stored_files()
    for name, data in [*_named_cases().items(), *refused]:
        response = client.post(
            url,
            {"image_type": "camera", "image_data": base64.b64encode(data).decode()},
            format="json",
        )
        assert 400 <= response.status_code < 500, (name, response.status_code)
        body = response.json()
        assert body["success"] is False and body["code"] and body["message"], name
    assert not MonitoringImage.objects.exists()
    assert _stored_files() == files_before
