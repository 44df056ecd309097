"""Identity: is the person in the interview the person who applied?

The candidate shows a selfie (and, where the organization asks, an ID document's photo)
before or during the interview; each becomes a reference: stored like a capture (re-encoded
JPEG, SSE, signed URLs, audited) with its face template (monitoring.faces.templates). Every
camera frame of the candidate's is then matched with the selfie as part of its analysis, and
frames captured before the selfie existed are matched as soon as it does (a follow-up): the
recording never waits for a reference. Nothing is decided without a person: the state says
what the faces say, and a reviewer confirms or rejects (audited).
"""

import io
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageStat

from accounts.models import Organization, User
from applications.models import JobApplication
from applications.services import application_recording_began, recording_check
from cameras.services import camera_stream_identity
from common import pipeline
from common.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unavailable
from common.http import RequestInfo
from monitoring import followups
from monitoring.audit.services import access_log
from monitoring.faces.detectors import Face, best_detector
from monitoring.faces.templates import TemplatesUnavailable, describe, distance
from monitoring.images.codec import clean_image, decode_base64_image
from monitoring.images.storage import (
    KEY_PREFIX,
    STORAGE_ERRORS,
    StorageUnavailable,
    read_object,
    store,
)
from monitoring.integrity.selectors import frames_for_candidate
from monitoring.integrity.services import integrity_identity_changed, integrity_rebuild
from monitoring.labels import IDENTITY_STATE_LABELS
from monitoring.models import (
    AccessEvent,
    FrameAnalysis,
    IdentityDecision,
    IdentityReference,
    ImageType,
    MonitoringImage,
)

from .selectors import (
    Match,
    State,
    current_reference,
    identity_required,
    identity_settings,
    identity_states,
    reference_match,
)

logger = logging.getLogger(__name__)

Kind = IdentityReference.Kind
# A reference photo is examined at most this wide (a phone's 4000 px picture adds nothing but
# time); its face must be IDENTITY_MIN_FACE_PX wide at this scale.
REFERENCE_MAX_SIDE = 1600
REFERENCE_DETECT_WIDTH = 640
FACES_MATCHED_MAX = 4  # faces of one camera frame compared with the selfie
NOT_COMPARED = {"identity_reference": None, "identity_distance": None, "identity_mismatch": None}


@dataclass(frozen=True)
class SubmitResult:
    reference: IdentityReference
    match: Match | None


def identity_storage_key(*, application_id: int, kind: str, at: datetime) -> str:
    """`monitoring/{application}/identity/{kind}/{epoch ms}-{uuid4}.jpg`: under the
    interview's prefix, so erasure and retention remove it with the captures."""
    epoch_ms = int(at.timestamp() * 1000)
    return f"{KEY_PREFIX}/{application_id}/identity/{kind}/{epoch_ms}-{uuid.uuid4()}.jpg"


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def _picture(data: bytes) -> Image.Image:
    image = _decode(data)
    if max(image.size) > REFERENCE_MAX_SIDE:
        image.thumbnail((REFERENCE_MAX_SIDE, REFERENCE_MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _mean(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L")).mean[0]


def reference_assess(picture: Image.Image, *, kind: str) -> tuple[Face, dict]:
    """The one face a reference shows and its quality, or the refusal the candidate can act
    on (400): too_dark, no_face, several_faces, face_too_small.

    An ID document often repeats its portrait small (a "ghost image"): on a document, faces
    under half the main one's width are that, not another person."""
    brightness = _mean(picture)
    minimum = settings.IDENTITY_MIN_BRIGHTNESS
    if brightness < minimum:
        raise InvalidInput(
            _(
                "The photo is too dark (brightness %(brightness).0f, at least %(minimum).0f "
                "needed): turn a light on or face a window."
            )
            % {"brightness": brightness, "minimum": minimum},
            code="too_dark",
        )
    faces = sorted(
        best_detector().detect(picture, width=REFERENCE_DETECT_WIDTH),
        key=lambda f: f.w,
        reverse=True,
    )
    if not faces:
        raise InvalidInput(_("No face was found in the photo."), code="no_face")
    if kind == Kind.DOCUMENT:
        faces = [f for f in faces if f.w * 2 >= faces[0].w]
    if len(faces) > 1:
        raise InvalidInput(
            _("%(count)d faces are in the photo; it must show yours alone.")
            % {"count": len(faces)},
            code="several_faces",
        )
    face = faces[0]
    if face.w < settings.IDENTITY_MIN_FACE_PX:
        raise InvalidInput(
            _(
                "The face is %(width)s px wide; at least %(minimum)s px are needed: come closer "
                "to the camera."
            )
            % {"width": face.w, "minimum": settings.IDENTITY_MIN_FACE_PX},
            code="face_too_small",
        )
    face_brightness = _mean(picture.crop((face.x, face.y, face.x + face.w, face.y + face.h)))
    if face_brightness < minimum:
        raise InvalidInput(
            _(
                "The face is too dark (brightness %(brightness).0f, at least %(minimum).0f "
                "needed): light it from the front."
            )
            % {"brightness": face_brightness, "minimum": minimum},
            code="too_dark",
        )
    quality = {
        "brightness": round(brightness, 1),
        "face_brightness": round(face_brightness, 1),
        "face_px": face.w,
        "confidence": round(face.confidence, 3),
        "width": picture.width,
        "height": picture.height,
    }
    return face, quality


def identity_submit_check(*, actor: User, application: JobApplication) -> float:
    """Whether `actor` may show a reference now (the API asks before it reads the body);
    returns the organization's threshold."""
    if actor.pk != application.candidate_id:
        raise NotAllowed("Only the candidate shows their own face.", code="not_candidate")
    recording_check(application=application)
    check, threshold = identity_settings(application)
    if check == Organization.IdentityCheck.OFF:
        raise Conflict("This organization does not check identity.", code="identity_not_required")
    return threshold


def identity_reference_submit(
    *,
    actor: User,
    application: JobApplication,
    kind: str,
    info: RequestInfo,
    image_data: str | None = None,
    image_bytes: bytes | None = None,
) -> SubmitResult:
    """Check, describe and store a selfie or a document photo of the candidate's; a newer
    reference of a kind replaces the older one (kept in the history, no longer used).

    Refusals: 403 someone other than the candidate; 409 like captures (no consent, interview
    not in progress) and `identity_not_required`; 400 the image (as captures) and the face
    (reference_assess); 503 when no template can be made here or the store fails. A refused
    photo is not stored."""
    threshold = identity_submit_check(actor=actor, application=application)
    if kind not in Kind.values:
        raise InvalidInput("kind must be selfie or document.", code="invalid_choice")
    clean = clean_image(
        image_bytes if image_bytes is not None else decode_base64_image(image_data or ""),
        max_side=settings.MONITORING_MAX_SIDE,
        max_pixels=settings.MONITORING_MAX_PIXELS,
        quality=settings.MONITORING_JPEG_QUALITY,
    )
    picture = _picture(clean.data)
    face, quality = reference_assess(picture, kind=kind)
    try:
        template = describe(picture, [face])[0]
    except TemplatesUnavailable as exc:
        logger.error("Identity reference refused: %s", exc)
        raise Unavailable(
            _("Face matching is not available on this server."), code="identity_unavailable"
        ) from exc
    now = timezone.now()
    key = identity_storage_key(application_id=application.pk, kind=kind, at=now)
    try:
        key = store(key, clean.data)
    except StorageUnavailable as exc:
        raise Unavailable(
            _("Image storage is unavailable; the photo was not stored. Retry shortly."),
            code="storage_unavailable",
            retry_after=exc.retry_after,
        ) from exc
    try:
        with transaction.atomic():
            locked = JobApplication.objects.lock(application.pk)
            if locked is None:
                raise NotFound("Application not found.", code="application_not_found")
            recording_check(application=locked)
            application_recording_began(application_id=application.pk, at=now)
            IdentityReference.objects.filter(
                application_id=application.pk, kind=kind, replaced_at=None
            ).update(replaced_at=now)
            reference = IdentityReference.objects.create(
                application=application,
                kind=kind,
                file=key,
                uploaded_by=actor,
                created_at=now,
                width=clean.width,
                height=clean.height,
                byte_size=len(clean.data),
                sha256=clean.sha256,
                face=face.as_dict(),
                quality=quality,
                descriptor=template,
            )
            access_log(
                actor=actor,
                action=AccessEvent.Action.IDENTITY_SUBMITTED,
                info=info,
                application_id=application.pk,
                s3_key=key,
                detail=kind,
            )
            if kind == Kind.SELFIE:
                pipeline.enqueue(followups.IDENTITY_MATCH_FRAMES, application.pk)
    except BaseException:
        _delete_object(key)
        raise
    identity_tell_board(application)
    other = current_reference(
        application_id=application.pk, kind=Kind.DOCUMENT if kind == Kind.SELFIE else Kind.SELFIE
    )
    return SubmitResult(reference, reference_match(reference, other, threshold=threshold))


def _delete_object(key: str) -> None:
    try:
        default_storage.delete(key)
    except STORAGE_ERRORS:
        logger.exception("Could not delete %s; the orphan sweep will retry", key)


def identity_decide(
    *, actor: User, application: JobApplication, decision: str, note: str, info: RequestInfo
) -> IdentityDecision:
    """A reviewer's decision about who took the interview, for the selfie current now
    (audited). A person decides; the faces only inform."""
    if not actor.is_staff_role:
        raise NotAllowed("Only reviewers decide on identity.", code="permission_denied")
    if not identity_required(application):
        raise Conflict("This organization does not check identity.", code="identity_not_required")
    if decision not in IdentityDecision.Decision.values:
        raise InvalidInput("decision must be confirmed or rejected.", code="invalid_choice")
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        selfie = current_reference(application_id=application.pk, kind=Kind.SELFIE)
        row = IdentityDecision.objects.create(
            application=application,
            decision=decision,
            note=note,
            selfie=selfie,
            decided_by=actor,
        )
        access_log(
            actor=actor,
            action=AccessEvent.Action.IDENTITY_CONFIRMED
            if decision == IdentityDecision.Decision.CONFIRMED
            else AccessEvent.Action.IDENTITY_REJECTED,
            info=info,
            application_id=application.pk,
            detail=f"identity {decision}" + (f": {note}" if note else ""),
        )
    identity_tell_board(application)
    return row


def identity_card(application: JobApplication) -> dict | None:
    """What the board card shows of the identity check: `{"state", "label"}`, or None when
    the organization does not check identity."""
    state = identity_states(applications=[application])[application.pk]
    if state == State.NOT_REQUIRED:
        return None
    return {"state": state, "label": IDENTITY_STATE_LABELS[state]}


def identity_tell_board(application: JobApplication) -> None:
    """The candidate's board card shows the identity check's state: after a reference or a
    reviewer's decision (the incidents' changes carry it themselves)."""
    camera_stream_identity(
        user_id=application.candidate_id,
        application_id=application.pk,
        identity=identity_card(application),
    )


def identity_reference_urls(
    *, actor: User, references: list[IdentityReference], info: RequestInfo
) -> dict[int, str]:
    """Signed, expiring URLs of references the caller may see; each one is audited."""
    urls = {}
    for reference in references:
        if reference.photo_deleted_at is not None:
            urls[reference.pk] = None  # the photo is gone (retention): nothing to sign
            continue
        urls[reference.pk] = default_storage.url(reference.file.name)
        access_log(
            actor=actor,
            action=AccessEvent.Action.URL_ISSUED,
            info=info,
            application_id=reference.application_id,
            s3_key=reference.file.name,
            detail=f"identity {reference.kind}",
        )
    return urls


# --- Camera frames ------------------------------------------------------------------------------


def _frame_match(
    image: MonitoringImage,
    faces: list[dict],
    selfie: IdentityReference,
    threshold: float,
    picture: Image.Image | None,
) -> dict:
    """A frame's identity fields: each face's distance to the selfie; the smallest is the
    frame's. Faces seen and none within the threshold: a mismatch (one stranger, or several
    people none of whom is the candidate). No face: nothing to compare, no mismatch."""
    if not faces:
        return {
            "identity_reference": selfie,
            "identity_distance": None,
            "identity_mismatch": False,
            "faces": faces,
        }
    compared = faces[:FACES_MATCHED_MAX]
    if picture is None:
        picture = _decode(read_object(image.file.name))
    boxes = [Face(f["x"], f["y"], f["w"], f["h"], f.get("confidence", 1.0)) for f in compared]
    distances = [distance(t, selfie.descriptor) for t in describe(picture, boxes)]
    best = min(distances)
    return {
        "identity_reference": selfie,
        "identity_distance": round(best, 4),
        "identity_mismatch": best > threshold,
        "faces": [{**f, "distance": round(d, 4)} for f, d in zip(compared, distances, strict=True)]
        + faces[FACES_MATCHED_MAX:],
    }


def _candidates_camera_frame(image: MonitoringImage) -> bool:
    application = image.application
    return (
        image.image_type == ImageType.CAMERA
        and image.uploaded_by_id is not None
        and image.uploaded_by_id == application.candidate_id
    )


def frame_identity(*, image: MonitoringImage, data: bytes, faces: list[dict]) -> dict:
    """The identity part of a camera frame's analysis (monitoring.analysis calls it with the
    stored bytes and the faces it found, in the stored frame's pixels). Not compared — empty
    fields — when the frame is not the candidate's, the organization does not check identity,
    no selfie exists yet (it will be matched once one does), or no template can be made."""
    if not _candidates_camera_frame(image):
        return dict(NOT_COMPARED)
    check, threshold = identity_settings(image.application)
    if check == Organization.IdentityCheck.OFF:
        return dict(NOT_COMPARED)
    selfie = current_reference(application_id=image.application_id, kind=Kind.SELFIE)
    if selfie is None:
        return dict(NOT_COMPARED)
    try:
        return _frame_match(image, faces, selfie, threshold, _decode(data) if faces else None)
    except TemplatesUnavailable as exc:
        logger.warning("Frame %s not matched: %s", image.pk, exc)
        return dict(NOT_COMPARED)


def frame_identity_recheck(*, analysis: FrameAnalysis) -> None:
    """After an analysis is written: had a new selfie come meanwhile, the frames are matched
    again (the follow-up does it for all of them)."""
    image = analysis.image
    if not _candidates_camera_frame(image) or not identity_required(image.application):
        return
    selfie = current_reference(application_id=image.application_id, kind=Kind.SELFIE)
    if selfie is not None and selfie.pk != analysis.identity_reference_id:
        pipeline.enqueue(followups.IDENTITY_MATCH_FRAMES, image.application_id)


def identity_frames_match(*, application_id: int, batch: int = 100) -> int:
    """Match with the current selfie every analysed camera frame of the candidate's that was
    not (captured before the selfie, or compared with an older one); then the interview's
    incidents are rebuilt, and the comparisons of the candidate's later interviews updated.
    Idempotent by application id; returns the frames matched."""
    application = (
        JobApplication.objects.select_related("job__organization").filter(pk=application_id).first()
    )
    if application is None:
        return 0
    check, threshold = identity_settings(application)
    if check == Organization.IdentityCheck.OFF:
        return 0
    matched, last_pk = 0, 0
    while True:
        selfie = current_reference(application_id=application.pk, kind=Kind.SELFIE)
        if selfie is None:
            break
        pending = list(
            FrameAnalysis.objects.filter(
                image__in=frames_for_candidate(application), pk__gt=last_pk
            )
            .exclude(identity_reference_id=selfie.pk)
            .select_related("image")
            .order_by("pk")[:batch]
        )
        if not pending:
            break
        for analysis in pending:
            last_pk = analysis.pk
            try:
                fields = _frame_match(analysis.image, analysis.faces, selfie, threshold, None)
            except STORAGE_ERRORS:
                logger.warning("Frame %s not matched (storage); left for later", analysis.pk)
                continue
            except TemplatesUnavailable as exc:
                logger.warning("Frames of %s not matched: %s", application.pk, exc)
                return matched
            FrameAnalysis.objects.filter(pk=analysis.pk).update(**fields)
            matched += 1
    integrity_rebuild(application_id=application.pk)
    for later in _later_interviews(application):
        integrity_identity_changed(application_id=later)
    return matched


def _later_interviews(application: JobApplication) -> list[int]:
    """The candidate's interviews in the same organization created after this one: their
    selfies are compared with this one's."""
    return list(
        JobApplication.objects.filter(
            candidate_id=application.candidate_id,
            job__organization_id=application.job.organization_id,
            created_at__gte=application.created_at,
        )
        .exclude(pk=application.pk)
        .values_list("pk", flat=True)
    )


def identity_settings_apply(*, organization_id: int) -> int:
    """The organization's identity settings changed. Each compared frame is judged again by
    the new threshold (its distance is kept, nothing is described again); frames not compared
    yet with the current selfie are matched (identity switched on); every interview with a
    reference has its incidents rebuilt (identity switched off drops them). Returns the
    interviews brought up to date."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    frames = FrameAnalysis.objects.filter(
        image__application__job__organization_id=organization_id,
        identity_distance__isnull=False,
    )
    threshold = organization.identity_threshold
    frames.filter(identity_distance__gt=threshold).update(identity_mismatch=True)
    frames.filter(identity_distance__lte=threshold).update(identity_mismatch=False)
    ids = list(
        JobApplication.objects.filter(
            job__organization_id=organization_id, identity_references__isnull=False
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    for application_id in ids:
        if organization.identity_check == Organization.IdentityCheck.OFF:
            integrity_rebuild(application_id=application_id)
        else:
            identity_frames_match(application_id=application_id)  # it rebuilds too
    return len(ids)


# --- Retention of the ID document's photo --------------------------------------------------------


def _documents_due(*, now: datetime, limit: int) -> list[IdentityReference]:
    """ID document photos still stored whose interview ended more than its organization's
    `document_retention_days` ago (not under a legal hold). One query per window in force."""
    due: list[IdentityReference] = []
    windows = set(Organization.objects.values_list("document_retention_days", flat=True))
    for days in sorted(windows):
        remaining = limit - len(due)
        if remaining <= 0:
            break
        cutoff = now - timedelta(days=days)
        due += list(
            IdentityReference.objects.filter(
                kind=Kind.DOCUMENT,
                photo_deleted_at=None,
                application__job__organization__document_retention_days=days,
                application__legal_hold=False,
            )
            .filter(
                Q(application__completed_at__lt=cutoff) | Q(application__withdrawn_at__lt=cutoff)
            )
            .select_related("application__job__organization")
            .order_by("pk")[:remaining]
        )
    return due


def identity_documents_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """The retention sweep's part for ID documents: a document's photo is kept only
    `document_retention_days` (default 30) after the interview ends, though the rest of the
    record is kept longer. Its stored object and face template are deleted; the row stays to
    say a document was shown, with its distance to the selfie then (the state and a
    reviewer's decision keep their grounds). A store that fails leaves it for the next run.
    Returns the photos deleted."""
    now = now or timezone.now()
    deleted = 0
    for document in _documents_due(now=now, limit=limit):
        try:
            default_storage.delete(document.file.name)
        except STORAGE_ERRORS:
            logger.warning("Document photo %s not deleted (storage); next run", document.pk)
            continue
        selfie = current_reference(application_id=document.application_id, kind=Kind.SELFIE)
        match = (
            reference_match(document, selfie, threshold=0.0)
            if document.replaced_at is None
            else None
        )
        IdentityReference.objects.filter(pk=document.pk).update(
            photo_deleted_at=now,
            descriptor=b"",
            match_distance=match.distance if match else None,
        )
        access_log(
            actor=None,  # the retention sweep, no person
            action=AccessEvent.Action.ERASED,
            info=RequestInfo(),
            application_id=document.application_id,
            s3_key=document.file.name,
            detail=f"ID document photo and template: "
            f"{document.application.job.organization.document_retention_days} days after the "
            "interview ended",
        )
        deleted += 1
    if deleted:
        logger.info("Identity: %d ID document photo(s) past their window deleted", deleted)
    return deleted
