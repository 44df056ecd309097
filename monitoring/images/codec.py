"""Decoding and re-encoding of uploaded captures. Pure functions: bytes in, bytes out.

Every upload is decoded fully and re-encoded by the server, so what is stored is always a
clean JPEG: no metadata, nothing appended, no payload smuggled in a comment or after the end.
"""

import base64
import binascii
import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from common.errors import InvalidInput

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
_DATA_URL = re.compile(r"^data:image/(?:jpeg|jpg|png|webp);base64,", re.IGNORECASE)
# Possessive (*+): a refused 8 MB body is not walked back character by character (12 ms, not
# 110 ms); `=` is outside the class, so what matches is unchanged.
_BASE64 = re.compile(rb"^[A-Za-z0-9+/]*+={0,2}$")
_PNG_END = b"IEND\xaeB`\x82"


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    sha256: str


def decode_base64_image(value: str) -> bytes:
    """Plain base64 or a `data:image/…;base64,` URL, strict alphabet, non-empty."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("image_data is empty.", code="empty_image")
    text = _DATA_URL.sub("", value.strip(), count=1)
    if text.startswith("data:"):
        raise InvalidInput(
            "image_data must be a JPEG, PNG or WebP data URL or plain base64.",
            code="unsupported_image_type",
        )
    raw = text.encode("ascii", errors="replace")
    if len(raw) % 4 or not _BASE64.match(raw):
        raise InvalidInput("image_data is not valid base64.", code="invalid_base64")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("image_data is not valid base64.", code="invalid_base64") from None
    if not data:
        raise InvalidInput("image_data is empty.", code="empty_image")
    return data


def _check_whole(data: bytes, fmt: str) -> None:
    """The file must end exactly where the image ends: nothing glued after it (an HTML page
    behind a JPEG, say), and nothing missing (a capture cut short)."""
    if fmt == "JPEG":
        body = data.rstrip(b"\x00")
        complete, end = body.endswith(b"\xff\xd9"), body.rfind(b"\xff\xd9")
        truncated = not complete and end < 0
    elif fmt == "PNG":
        complete = data.endswith(_PNG_END)
        truncated = not complete and _PNG_END not in data
    else:  # WEBP: the RIFF header states the file's length
        declared = int.from_bytes(data[4:8], "little") + 8 if len(data) >= 12 else -1
        complete, truncated = declared == len(data), declared > len(data)
    if truncated:
        raise InvalidInput("The image is truncated: its data ends early.", code="corrupt_image")
    if not complete:
        raise InvalidInput(
            "The image has data after its end; send the image alone.", code="trailing_data"
        )


DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError)
DECODE_ERRORS += (ZeroDivisionError, struct.error, Image.DecompressionBombError)


def _corrupt(exc: BaseException) -> InvalidInput:
    return InvalidInput(f"The image is damaged or truncated ({exc}).", code="corrupt_image")


def clean_image(data: bytes, *, max_side: int, max_pixels: int, quality: int) -> CleanImage:
    """Open (JPEG/PNG/WebP only), check the size from the header, decode, re-encode as JPEG.

    Whatever a damaged file makes Pillow raise is the client's fault: a 400 (unsupported or
    corrupt image), never a 500. Nothing is stored before this returns.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError:
        raise InvalidInput(
            "image_data is not a JPEG, PNG or WebP image.", code="unsupported_image_type"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("The image is too large.", code="image_too_large") from None
    except DECODE_ERRORS as exc:
        raise _corrupt(exc) from None
    width, height = image.size
    if (
        width < 1
        or height < 1
        or width > max_side
        or height > max_side
        or width * height > max_pixels
    ):
        raise InvalidInput(
            f"The image is {width}×{height} px; the limit is {max_side} px a side and "
            f"{max_pixels:,} px in all.",
            code="image_too_large",
        )
    _check_whole(data, image.format)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            if getattr(image, "n_frames", 1) > 1:
                raise InvalidInput(
                    "Animated images are not accepted.", code="unsupported_image_type"
                )
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=quality)  # no exif/icc: metadata stripped
    except InvalidInput:
        raise
    except Image.DecompressionBombWarning:
        raise InvalidInput("The image is too large.", code="image_too_large") from None
    except DECODE_ERRORS as exc:
        raise _corrupt(exc) from None
    clean = out.getvalue()
    return CleanImage(clean, width, height, hashlib.sha256(clean).hexdigest())
