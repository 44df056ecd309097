"""Analyse stored captures and keep each one's comparison with its predecessor right.

Tasks may run in any order: a frame is always compared with the frame before it in capture
time, and a frame that arrives late makes its successor compare again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from accounts.models import User
from applications.models import JobApplication
from cameras.services import candidate_page_tell
from common import pipeline
from common.errors import NotAllowed
from monitoring import followups
from monitoring.faces.detectors import best_detector
from monitoring.identity.services import frame_identity, frame_identity_recheck
from monitoring.images.codec import clean_image, decode_base64_image
from monitoring.images.storage import read_bytes
from monitoring.integrity.selectors import CAPTURE_RELATED
from monitoring.integrity.services import integrity_frame_changed
from monitoring.interview.labels import INTERVIEW_ALERTS
from monitoring.live import timeline_changed
from monitoring.models import FrameAnalysis, ImageType, MonitoringImage

from . import frames

logger = logging.getLogger(__name__)


def _is_candidates(image: MonitoringImage) -> bool:
    return (
        image.uploaded_by_id is not None and image.uploaded_by_id == image.application.candidate_id
    )


def _neighbour(image: MonitoringImage, *, before: bool) -> MonitoringImage | None:
    """The candidate's own capture of the same kind just before (or after) this one. Only the
    candidate's captures are compared with each other: a frame someone else added is never a
    candidate frame's neighbour (it could make it "frozen"), and has none itself."""
    if not _is_candidates(image):
        return None
    same = MonitoringImage.objects.filter(
        application_id=image.application_id,
        image_type=image.image_type,
        uploaded_by_id=image.uploaded_by_id,
    ).exclude(pk=image.pk)
    if before:  # with its analysis: the measures this frame is compared with (one query)
        return (
            same.filter(
                Q(captured_at__lt=image.captured_at)
                | Q(captured_at=image.captured_at, pk__lt=image.pk)
            )
            .select_related("analysis")
            .order_by("-captured_at", "-pk")
            .first()
        )
    return (
        same.filter(
            Q(captured_at__gt=image.captured_at) | Q(captured_at=image.captured_at, pk__gt=image.pk)
        )
        .order_by("captured_at", "pk")
        .first()
    )


def _read(image: MonitoringImage) -> bytes:
    return read_bytes(image.file.name)


def _measure(image: MonitoringImage, previous: MonitoringImage | None) -> dict:
    data = _read(image)
    if image.image_type == ImageType.SCREEN:
        width = frames.SCREEN[0]
        picture, _ = frames.load_scaled(data, width=width)
        prev_small = None
        if previous is not None:
            prev_picture, _ = frames.load_scaled(_read(previous), width=width)
            prev_small = frames.screen_small(prev_picture)
        return {"change_fraction": frames.change_fraction(frames.screen_small(picture), prev_small)}
    # One small decode: the detector works at ANALYSIS_DETECT_WIDTH, the measures at 64 px.
    picture, factor = frames.load_scaled(data, width=settings.ANALYSIS_DETECT_WIDTH)
    detector = best_detector()
    frame = frames.camera_frame(picture, data, detector)
    if factor != 1.0:  # face boxes in the stored frame's pixels, as before
        frame.faces = [frames.scale_face(face, factor) for face in frame.faces]
    prev_frame = _previous_frame(previous)
    frozen, diff, distance = frames.is_frozen(frame, prev_frame)
    flags = frames.camera_flags(frame, frozen)
    faces = [face.as_dict() for face in frame.faces]
    return {
        "brightness": round(frame.brightness, 2),
        "contrast": round(frame.contrast, 2),
        "face_count": len(frame.faces),
        "faces": faces,
        # Each face's distance to the candidate's selfie (full-size decode, only when matched).
        **frame_identity(image=image, data=data, faces=faces),
        "dhash": frame.dhash,
        "small": frame.small.tobytes(),
        "diff_mean": None if diff is None else round(diff, 3),
        "dhash_distance": distance,
        "detector": detector.name,
        "detector_version": detector.version,
        **{name: name in flags for name in FrameAnalysis.FLAG_FIELDS},
    }


def _previous_frame(previous: MonitoringImage | None) -> frames.CameraFrame | None:
    """The predecessor's measures: from its stored analysis when there is one (read with it,
    `_neighbour`: no query, no decode)."""
    if previous is None:
        return None
    try:
        stored = previous.analysis
    except FrameAnalysis.DoesNotExist:
        stored = None
    if stored is not None and stored.small:
        return frames.CameraFrame(
            brightness=stored.brightness,
            contrast=stored.contrast,
            dhash=stored.dhash,
            sha256=previous.sha256,
            small=Image.frombytes("L", frames.SMALL, bytes(stored.small)),
        )
    data = _read(previous)
    return frames.camera_frame(
        frames.load_scaled(data, width=settings.ANALYSIS_DETECT_WIDTH)[0], data
    )


def frame_analyze(*, image_id: int) -> tuple[FrameAnalysis | None, int | None]:
    """Compute (or recompute) one image's analysis. Idempotent by image id.

    Returns the analysis and the id of a successor that must compare again (or None).
    """
    # With its interview as the frame's integrity update needs it (not read again there).
    image = MonitoringImage.objects.select_related(*CAPTURE_RELATED).filter(pk=image_id).first()
    if image is None:  # deleted meanwhile
        return None, None
    previous = _neighbour(image, before=True)
    values = _measure(image, previous)
    values["previous"] = previous
    # One statement (INSERT … ON CONFLICT (image) DO UPDATE), not update_or_create's read,
    # savepoints and write (eight round trips, issue 40); the same task running twice at once
    # leaves one row, the last writer's. `analyzed_at` is set by its field (auto_now).
    try:
        (result,) = FrameAnalysis.objects.bulk_create(
            [FrameAnalysis(image=image, **values)],
            update_conflicts=True,
            unique_fields=["image"],
            update_fields=[*values, "analyzed_at"],
        )
    except IntegrityError:  # the capture (or its predecessor) was deleted meanwhile
        return None, None
    result.image = image  # with its interview and organization, read once above
    if image.image_type == ImageType.CAMERA:
        frame_identity_recheck(analysis=result)
    successor = _neighbour(image, before=False)
    recheck = None
    if successor is not None:
        successor_analysis = FrameAnalysis.objects.filter(image=successor).first()
        if successor_analysis is not None and successor_analysis.previous_id != image.pk:
            recheck = successor.pk
    return result, recheck


def image_analyze(*, image_id: int) -> FrameAnalysis | None:
    """Analyse one capture and do, right here, what follows from it: the re-check of a
    successor that compared itself with another frame, and the integrity update of both.

    Nothing of it goes back through the broker, so nothing of it can be lost there; a task
    that never ran at all is found by `analyses_reconcile`.
    """
    result, recheck = frame_analyze(image_id=image_id)
    if result is not None:
        integrity_frame_changed(image_id=image_id, image=result.image)
        timeline_changed(result.image.application_id, "captures", at=result.image.captured_at)
        checks_tell_candidate(image=result.image, flags=result.flags)
    while recheck is not None:
        successor, recheck = frame_analyze(image_id=recheck)
        if successor is not None:
            integrity_frame_changed(image_id=successor.image_id, image=successor.image)
            timeline_changed(
                successor.image.application_id, "captures", at=successor.image.captured_at
            )
    return result


def analyses_reconcile(*, now: datetime | None = None, batch: int = 500) -> int:
    """Queue again every capture still without its analysis ANALYSIS_RETRY_AFTER seconds after
    it was stored (the broker was down when it was stored, or the worker died mid-task).
    Idempotent: an analysis that already exists is simply recomputed."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.ANALYSIS_RETRY_AFTER)
    missing = list(
        MonitoringImage.objects.filter(analysis__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:batch]
    )
    for image_id in missing:
        pipeline.enqueue(followups.ANALYZE_IMAGE, image_id)
    if missing:
        logger.warning("Re-queued the analysis of %d capture(s)", len(missing))
    return len(missing)


def frame_analyses_requeue(*, image_ids: list[int]) -> int:
    """Analyse these captures again (the admin's action); returns how many were queued."""
    for image_id in image_ids:
        pipeline.enqueue(followups.ANALYZE_IMAGE, image_id)
    return len(image_ids)


def capture_dry_run(
    *,
    actor: User,
    application: JobApplication,
    image_type: str,
    image_data: str | None = None,
    image_bytes: bytes | None = None,
) -> dict:
    """Analyse one capture the way a stored one would be, and keep nothing: no object, no
    row, no log (the system check's test frame, the practice capture). Only the candidate of
    the application, in any status, consent not needed — nothing is recorded.

    Camera: `face_count`, `brightness` and the flags of a single frame (`camera_covered`,
    `no_face`, `multiple_faces`; "frozen" needs a predecessor). Screen: the size only.
    """
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate can try a capture.", code="not_candidate")
    clean = clean_image(
        image_bytes if image_bytes is not None else decode_base64_image(image_data or ""),
        max_side=settings.MONITORING_MAX_SIDE,
        max_pixels=settings.MONITORING_MAX_PIXELS,
        quality=settings.MONITORING_JPEG_QUALITY,
    )
    analysis: dict = {"width": clean.width, "height": clean.height}
    if image_type == ImageType.SCREEN:
        return {**analysis, "flags": []}
    picture, _ = frames.load_scaled(clean.data, width=settings.ANALYSIS_DETECT_WIDTH)
    frame = frames.camera_frame(picture, clean.data, best_detector())
    return {
        **analysis,
        "face_count": len(frame.faces),
        "brightness": round(frame.brightness, 2),
        "flags": frames.camera_flags(frame, frozen=False),
    }


ALERTED = ("camera_covered", "frozen_frame", "no_face", "multiple_faces")
RUN_LOOKBACK = 50  # frames: a run longer than this is dated by its 50th frame


def checks_tell_candidate(*, image: MonitoringImage, flags: list[str] | None = None) -> dict | None:
    """Tell the candidate's page what the checks of their newest analysed camera frame say:
    the check it fails (or none) and since when — the capture time of the first frame of the
    run failing it. The page says it in plain words once it has lasted a few seconds, as the
    reviewer's card does, so that it can be fixed before it becomes an incident. Only for the
    candidate's own newest frame (an older one analysed late changes nothing now).

    `flags`: the frame's, as its analysis just wrote them — a frame that fails no check needs
    only the newest analysis read, not the run's fifty (what nearly every frame is)."""
    if image.image_type != ImageType.CAMERA or not _is_candidates(image):
        return None
    passes = flags is not None and not any(flag in ALERTED for flag in flags)
    recent = list(
        FrameAnalysis.objects.filter(
            image__application_id=image.application_id,
            image__image_type=ImageType.CAMERA,
            image__uploaded_by_id=image.uploaded_by_id,
        )
        .select_related("image")
        # the flags and the time only: not 50 thumbnails and face lists per analysis
        .only("image__captured_at", *FrameAnalysis.FLAG_FIELDS)
        .order_by("-image__captured_at", "-image_id")[: 1 if passes else RUN_LOOKBACK]
    )
    if not recent or recent[0].image_id != image.pk:
        return None
    failing = [flag for flag in recent[0].flags if flag in ALERTED]
    check = failing[0] if failing else None
    if check is not None and passes:  # analysed again meanwhile, and failing now: its run
        return checks_tell_candidate(image=image)
    since = None
    if check is not None:
        for analysis in recent:
            if check not in analysis.flags:
                break
            since = analysis.image.captured_at
    message = {
        "type": "check",
        "check": check,
        "since": since.isoformat() if since else None,
        "message": str(INTERVIEW_ALERTS[check]) if check in INTERVIEW_ALERTS else None,
    }
    candidate_page_tell(
        user_id=image.uploaded_by_id, application_id=image.application_id, message=message
    )
    return message
