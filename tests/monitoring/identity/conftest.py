"""Real photographs of four people (tests/fixtures/identity, see make_identity.py for where
they come from and their licence) and what the tests build from them: a document, a dark or
distant photo, two people in one frame."""

import base64
import io
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from PIL import Image, ImageEnhance

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "identity"
FRAMES = Path(__file__).resolve().parents[2] / "fixtures" / "frames"


def photo(name: str) -> Image.Image:
    return Image.open(PHOTOS / f"{name}.jpg").convert("RGB")


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def b64(image: Image.Image) -> str:
    return base64.b64encode(jpeg(image)).decode()


def document(name: str = "obama_2009") -> Image.Image:
    """An ID card held to the camera: a pale card with the photo on its left, a small ghost
    copy of the portrait on its right (as many ID cards print)."""
    frame = Image.new("RGB", (640, 480), (70, 70, 80))
    card = Image.new("RGB", (560, 360), (225, 228, 215))
    portrait = photo(name).crop((140, 0, 500, 480)).resize((240, 320))
    card.paste(portrait, (20, 20))
    card.paste(portrait.resize((60, 80)).convert("L").convert("RGB"), (460, 250))
    frame.paste(card, (40, 60))
    return frame


def two_people(left: str, right: str) -> Image.Image:
    """Two of the photographs side by side in one 640×480 frame."""
    frame = Image.new("RGB", (640, 480), (96, 92, 104))
    frame.paste(photo(left).crop((120, 0, 520, 480)).resize((320, 384)), (0, 48))
    frame.paste(photo(right).crop((120, 0, 520, 480)).resize((320, 384)), (320, 48))
    return frame


def dark(name: str) -> Image.Image:
    return ImageEnhance.Brightness(photo(name)).enhance(0.12)


def distant(name: str) -> Image.Image:
    """The person far from the camera: the face about 60 px wide."""
    frame = Image.new("RGB", (640, 480), (96, 92, 104))
    frame.paste(photo(name).resize((200, 150)), (220, 165))
    return frame


def minutes_ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)
