"""Frame analysis: pure functions on Pillow images, no storage, no database.

Camera frames: brightness and contrast (grey mean and standard deviation), faces, a 64-bit
difference hash, and the difference from the previous frame. Screen captures: the fraction of
the screen that changed since the previous capture. The checks run in a fixed order:
covered → frozen → no face / multiple faces (flat frames hash alike, so "covered" goes first).
"""

import dataclasses
import hashlib
import io
from dataclasses import dataclass, field

from django.conf import settings
from PIL import Image, ImageChops, ImageStat

SMALL = (64, 48)  # for the frozen-frame comparison
SCREEN = (480, 270)  # for the screen change fraction

CAMERA_COVERED = "camera_covered"
FROZEN_FRAME = "frozen_frame"
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"


@dataclass
class CameraFrame:
    brightness: float
    contrast: float
    dhash: str
    sha256: str
    small: Image.Image
    faces: list = field(default_factory=list)


def load(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def load_scaled(data: bytes, *, width: int) -> tuple[Image.Image, float]:
    """Decode at the smallest JPEG scale (1/2, 1/4, 1/8: DCT scaling, "draft" mode) that is
    still at least `width` wide, instead of decoding every pixel and shrinking afterwards —
    the analysis works at that width anyway. Returns the image and the factor back to the
    stored frame's pixels (for face boxes)."""
    image = Image.open(io.BytesIO(data))
    original_width = image.width
    if image.format == "JPEG" and image.width > width:
        height = max(1, round(image.height * width / image.width))
        image.draft("RGB", (width, height))
    image.load()
    return image.convert("RGB"), original_width / image.width


def scale_face(face, factor: float):
    """A face box found on a scaled decode, in the stored frame's pixels."""
    return dataclasses.replace(
        face,
        x=round(face.x * factor),
        y=round(face.y * factor),
        w=round(face.w * factor),
        h=round(face.h * factor),
    )


def dhash(image: Image.Image) -> str:
    """64-bit difference hash (9×8 greyscale, left-right gradients) as 16 hex digits."""
    grey = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    pixels = list(grey.tobytes())
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def camera_frame(image: Image.Image, data: bytes, detector=None) -> CameraFrame:
    """Measure a camera frame; faces only when a detector is given (not for the neighbour)."""
    grey = image.convert("L")
    stat = ImageStat.Stat(grey)
    return CameraFrame(
        brightness=stat.mean[0],
        contrast=stat.stddev[0],
        dhash=dhash(image),
        sha256=hashlib.sha256(data).hexdigest(),
        small=grey.resize(SMALL, Image.Resampling.BILINEAR),
        faces=detector.detect(image) if detector is not None else [],
    )


def is_covered(frame: CameraFrame) -> bool:
    return (
        frame.brightness < settings.ANALYSIS_COVERED_MEAN
        and frame.contrast < settings.ANALYSIS_COVERED_STD
    )


def is_frozen(
    frame: CameraFrame, previous: CameraFrame | None
) -> tuple[bool, float | None, int | None]:
    """Identical bytes, or nearly identical pixels and hash, compared with the previous frame."""
    if previous is None:
        return False, None, None
    diff = mean_abs_diff(frame.small, previous.small)
    distance = hamming(frame.dhash, previous.dhash)
    frozen = frame.sha256 == previous.sha256 or (
        diff < settings.ANALYSIS_FROZEN_MEAN_DIFF and distance <= settings.ANALYSIS_FROZEN_DHASH
    )
    return frozen, diff, distance


def camera_flags(frame: CameraFrame, frozen: bool) -> list[str]:
    if is_covered(frame):
        return [CAMERA_COVERED]  # a covered camera also shows no face and never changes
    if frozen:
        return [FROZEN_FRAME]
    if not frame.faces:
        return [NO_FACE]
    if len(frame.faces) >= 2:
        return [MULTIPLE_FACES]
    return []


def screen_small(image: Image.Image) -> Image.Image:
    return image.convert("L").resize(SCREEN, Image.Resampling.BILINEAR)


def change_fraction(current: Image.Image, previous: Image.Image | None) -> float | None:
    """Share of pixels differing by more than the threshold, on a 480×270 greyscale."""
    if previous is None:
        return None
    threshold = settings.ANALYSIS_SCREEN_PIXEL_DIFF
    changed = ImageChops.difference(current, previous).point(lambda v: 255 if v > threshold else 0)
    return changed.histogram()[255] / (SCREEN[0] * SCREEN[1])
