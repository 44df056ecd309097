"""Monitoring images: upload, delete, signed URLs, the board snapshot and the orphan sweep.

The upload refuses anything doubtful before it stores a byte, in this order: access →
application in progress → consent → envelope → base64 → image format and size (from the
header) → full decode → re-encode as JPEG → store → row. A refused request stores nothing;
an object whose row cannot be written is removed at once, and the periodic orphan sweep
removes what a crash left between the two.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.models import JobApplication
from applications.services import application_recording_began, recording_check
from cameras.services import camera_stream_snapshot, camera_stream_snapshot_replace
from common import pipeline
from common.errors import InvalidInput, NotAllowed, NotFound, Unavailable
from common.http import RequestInfo
from monitoring import followups
from monitoring.audit.services import access_log, access_log_images
from monitoring.integrity.rules import capture_is_late
from monitoring.live import timeline_changed
from monitoring.models import (
    AccessEvent,
    DeletedCapture,
    IdentityReference,
    ImageType,
    MonitoringImage,
)

from .codec import clean_image, decode_base64_image
from .selectors import image_by_client_id
from .storage import KEY_PREFIX, STORAGE_ERRORS, StorageUnavailable, storage_key, store

logger = logging.getLogger(__name__)

CAPTURED_AT_MAX_AHEAD = timedelta(minutes=5)
CAPTURED_AT_MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class UploadResult:
    image: MonitoringImage
    created: bool


def client_time(value: datetime, *, field: str, now: datetime) -> tuple[datetime, bool]:
    """A time the page reports, as the record keeps it: (time, clock_adjusted).

    More than 5 minutes ahead of the server or more than 24 hours old is refused (400). Ahead
    by more than MONITORING_CLOCK_TOLERANCE_SECONDS, it is the server's receive time instead
    (`clock_adjusted`): a page whose clock runs ahead could otherwise fill a coming silence
    in advance. The page corrects its clock against the server's, so this is rare.
    """
    if value > now + CAPTURED_AT_MAX_AHEAD:
        raise InvalidInput(
            f"{field} is more than 5 minutes in the future.", code=f"{field}_in_future"
        )
    if value < now - CAPTURED_AT_MAX_AGE:
        raise InvalidInput(f"{field} is more than 24 hours in the past.", code=f"{field}_too_old")
    tolerance = min(settings.MONITORING_CLOCK_TOLERANCE_SECONDS, CAPTURED_AT_MAX_AHEAD.seconds)
    if value > now + timedelta(seconds=tolerance):
        return now, True
    return value, False


def image_object_delete(*, key: str) -> None:
    """Remove a stored object whose row is gone (the delete's follow-up)."""
    _delete_object(key)


def _delete_object(key: str) -> None:
    try:
        default_storage.delete(key)
    except STORAGE_ERRORS:
        logger.exception("Could not delete %s; the orphan sweep will retry", key)


def monitoring_image_upload(
    *,
    actor: User,
    application: JobApplication,
    image_type: str,
    image_data: str | None = None,
    image_bytes: bytes | None = None,
    client_id: uuid.UUID | None = None,
    captured_at: datetime | None = None,
    recording_checked: bool = False,
) -> UploadResult:
    """Validate, re-encode and store one capture; the same client_id again returns the first.

    `application` comes from a scoped selector (the caller may see it); `image_type`,
    `client_id` and `captured_at` are already parsed by the API's serializer. The image comes
    as base64 (`image_data`, JSON) or as the file's bytes (`image_bytes`, multipart).
    `recording_checked`: the caller has just made the check before storing (the API does,
    before it parses the body) — not made twice. The check under the lock is always made.
    """
    if not recording_checked:
        recording_check(application=application, draining=True)
    if image_type not in ImageType.values:
        raise InvalidInput("image_type must be camera or screen.", code="invalid_choice")
    received_at = timezone.now()
    captured_at, clock_adjusted = client_time(
        captured_at or received_at, field="captured_at", now=received_at
    )
    interval = (
        application.camera_interval
        if image_type == ImageType.CAMERA
        else application.screen_interval
    )
    late = capture_is_late(
        captured_at, received_at, interval=interval, slack=settings.MONITORING_LATE_SLACK
    )
    client_id = client_id or uuid.uuid4()

    existing = image_by_client_id(application_id=application.pk, client_id=client_id)
    if existing is not None:
        return UploadResult(existing, created=False)

    clean = clean_image(
        image_bytes if image_bytes is not None else decode_base64_image(image_data or ""),
        max_side=settings.MONITORING_MAX_SIDE,
        max_pixels=settings.MONITORING_MAX_PIXELS,
        quality=settings.MONITORING_JPEG_QUALITY,
    )
    key = storage_key(application_id=application.pk, image_type=image_type, captured_at=captured_at)
    try:
        key = store(key, clean.data)
    except StorageUnavailable as exc:
        logger.warning("Image storage failed for application %s: %s", application.pk, exc)
        raise Unavailable(
            _("Image storage is unavailable; the capture was not stored. Retry shortly."),
            code="storage_unavailable",
            retry_after=exc.retry_after,
        ) from exc

    try:
        with transaction.atomic():
            # What was true when the upload began may not be now (consent withdrawn, the
            # interview finished during the storage write): checked again under the
            # application's lock; a refusal removes the object (below).
            locked = JobApplication.objects.lock(application.pk)
            if locked is None:
                raise NotFound("Application not found.", code="application_not_found")
            recording_check(application=locked, draining=True, captured_at=captured_at)
            if locked.started_at is None:  # read under the lock: no write once it is stamped
                application_recording_began(application_id=application.pk, at=captured_at)
            image = MonitoringImage.objects.create(
                application=application,
                image_type=image_type,
                file=key,
                captured_at=captured_at,
                received_at=received_at,
                late=late,
                clock_adjusted=clock_adjusted,
                uploaded_by=actor,
                client_id=client_id,
                width=clean.width,
                height=clean.height,
                byte_size=len(clean.data),
                sha256=clean.sha256,
            )
            _queue_follow_ups(image)
    except IntegrityError:
        # A concurrent request with the same client_id won: keep its record, drop our object.
        _delete_object(key)
        winner = image_by_client_id(application_id=application.pk, client_id=client_id)
        if winner is None:
            raise
        return UploadResult(winner, created=False)
    except BaseException:
        _delete_object(key)
        raise
    return UploadResult(image, created=True)


def _queue_follow_ups(image: MonitoringImage) -> None:
    """After the row commits: analyse it (the analysis then updates the incidents: the frame's
    episodes and the silence it closes — once per frame, not also at upload); a camera
    capture also becomes the board picture."""
    pipeline.enqueue(followups.ANALYZE_IMAGE, image.pk)
    timeline_changed(image.application_id, "captures", at=image.captured_at)
    if image.image_type == ImageType.CAMERA:
        pipeline.enqueue(followups.ANNOUNCE_SNAPSHOT, image.pk)


def _candidate_camera(application_id: int, candidate_id: int):
    return MonitoringImage.objects.filter(
        application_id=application_id, image_type=ImageType.CAMERA, uploaded_by_id=candidate_id
    )


def snapshot_announce(*, image_id: int) -> None:
    """The candidate's own camera snapshot becomes their board picture (if the stream is live).

    A capture someone else added is kept and shown on the timeline, never on the live card.
    """
    image = MonitoringImage.objects.select_related("application").filter(pk=image_id).first()
    if image is None or image.image_type != ImageType.CAMERA:
        return
    if image.uploaded_by_id != image.application.candidate_id:
        return
    camera_stream_snapshot(
        user_id=image.application.candidate_id,
        application_id=image.application_id,
        key=image.file.name,
        captured_at=image.captured_at,
    )


def _snapshot_withdraw(*, application: JobApplication, key: str) -> None:
    """A deleted capture leaves the board card: the previous snapshot (or none) replaces it."""
    previous = (
        _candidate_camera(application.pk, application.candidate_id)
        .order_by("-captured_at", "-id")
        .first()
    )
    camera_stream_snapshot_replace(
        user_id=application.candidate_id,
        application_id=application.pk,
        removed_key=key,
        key=previous.file.name if previous else "",
        captured_at=previous.captured_at if previous else None,
    )


def capture_deletion_record(*, image: MonitoringImage, actor: User) -> DeletedCapture:
    """The slot a deleted capture leaves in the record (written with the delete)."""
    return DeletedCapture.objects.create(
        application_id=image.application_id,
        image_type=image.image_type,
        captured_at=image.captured_at,
        received_at=image.received_at,
        late=image.late,
        by_candidate=image.uploaded_by_id == image.application.candidate_id,
        image_id=image.pk,
        deleted_by=actor,
    )


def monitoring_image_delete(*, actor: User, image: MonitoringImage, info: RequestInfo) -> None:
    """Remove the row, then (after commit) the object. Candidates may never delete.

    The slot stays in the record as a DeletedCapture ("deleted by …"): a deleted frame of the
    candidate's counts as one that showed nothing wrong, so a delete never leaves a silence
    against the candidate nor joins the flagged runs on either side of it."""
    if not actor.is_staff_role:
        raise NotAllowed("Candidates cannot delete monitoring images.", code="permission_denied")
    key, application = image.file.name, image.application
    by_candidate = image.uploaded_by_id == application.candidate_id
    with transaction.atomic():
        access_log(
            actor=actor,
            action=AccessEvent.Action.DELETED,
            info=info,
            application_id=application.pk,
            s3_key=key,
        )
        capture_deletion_record(image=image, actor=actor)
        timeline_changed(application.pk, "captures", at=image.captured_at)
        if image.image_type == ImageType.CAMERA and by_candidate:
            pipeline.enqueue(
                followups.INTEGRITY_FRAME_REMOVED,
                application.pk,
                image.pk,
                image.captured_at.isoformat(),
            )
        image.delete()
        if image.image_type == ImageType.CAMERA and by_candidate:
            _snapshot_withdraw(application=application, key=key)
        pipeline.enqueue(followups.DELETE_OBJECT, key)  # lost: the orphan sweep removes it


def signed_urls_issue(
    *, actor: User, images: list[MonitoringImage], info: RequestInfo
) -> dict[str, str]:
    """Signed, expiring URLs for images the caller may see; each one is audited."""
    urls = {image.file.name: default_storage.url(image.file.name) for image in images}
    access_log_images(actor=actor, action=AccessEvent.Action.URL_ISSUED, info=info, images=images)
    return urls


def orphan_objects_sweep(*, min_age: timedelta | None = None, prefix: str = KEY_PREFIX) -> int:
    """Delete stored objects that no row references and that are older than `min_age`.

    Catches the one case the upload cannot clean up itself: the process died between writing
    the object and writing its row (captures and identity references alike). Young objects
    are left alone (an upload may be mid-way).
    """
    min_age = (
        min_age if min_age is not None else timedelta(seconds=settings.MONITORING_ORPHAN_MIN_AGE)
    )
    cutoff = timezone.now() - min_age
    removed = 0
    for keys in _walk(prefix):
        known = set(MonitoringImage.objects.filter(file__in=keys).values_list("file", flat=True))
        known |= set(IdentityReference.objects.filter(file__in=keys).values_list("file", flat=True))
        for key in keys:
            if key in known:
                continue
            try:
                if default_storage.get_modified_time(key) > cutoff:
                    continue
            except STORAGE_ERRORS:
                continue
            _delete_object(key)
            removed += 1
    if removed:
        logger.info("Orphan sweep removed %d object(s)", removed)
    return removed


def _walk(path: str, batch: int = 500):
    """Yield lists of file keys under `path`, depth first, in batches."""
    try:
        dirs, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    keys = [f"{path}/{name}" for name in files]
    for start in range(0, len(keys), batch):
        yield keys[start : start + batch]
    for name in dirs:
        yield from _walk(f"{path}/{name}", batch)
