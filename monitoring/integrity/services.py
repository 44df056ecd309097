"""Keep an application's stored incidents and score in step with its inputs.

Incidents change only when an input changes: a capture stored, analysed or deleted, a page
event, a camera change, the gap sweep. Each change re-evaluates only the episodes it can
touch — a few frames either side of a capture, the events between two closing events of one
kind, the silence between two on-time captures — so its cost does not grow with the
interview. `integrity_rebuild` recomputes everything from scratch (rules changed, interview
finished); the incremental updates must always agree with it (tests hold them to that).

Incidents are updated in place, never deleted and re-created: an incident keeps its id while
it grows, shrinks or is re-scored, through every update and rebuild, until its evidence is gone
(reviewers' verdicts and notes point at it).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import Organization, User
from applications.models import JobApplication
from cameras.models import CameraEvent
from cameras.selectors import live_application_ids
from cameras.services import camera_stream_incident
from common.errors import NotAllowed
from common.http import RequestInfo
from common.time import iso_utc
from monitoring.audit.services import access_log
from monitoring.decisions.services import verdicts_keep_shape
from monitoring.live import timeline_changed
from monitoring.models import (
    AccessEvent,
    DeletedCapture,
    FrameAnalysis,
    IntegrityEvent,
    IntegrityRules,
    IntegritySummary,
    InterviewRules,
    MonitoringEvent,
    MonitoringImage,
)
from monitoring.signals import board_card_fields, incident_opened

from . import rules as integrity
from .selectors import (
    FAMILIES,
    RULES_RELATED,
    Family,
    application_is_open,
    applications_with_open_episode,
    camera_live_intervals,
    deletions_for_candidate,
    event_from_row,
    events_for_family,
    frame_from_deletion,
    frame_from_image,
    frames_for_candidate,
    identity_changed_for,
    incident_families_for,
    incidents_for_family,
    integrity_compute,
    integrity_rules_for,
    integrity_rules_of,
    integrity_rules_of_organization,
    virtual_camera_for,
    without_consent_gaps,
)


def _application(application_id: int) -> JobApplication | None:
    """The interview with what its rules need (integrity_rules_of: no further query), and its
    summary row (`_summary_kept`)."""
    return _application_query(application_id).first()


def _application_of(image: MonitoringImage) -> JobApplication | None:
    """The capture's interview: as the caller read it with the capture (`CAPTURE_RELATED`:
    its rules and summary with it — the analysis does, one query fewer per frame), or read."""
    if MonitoringImage.application.is_cached(image):
        application = image.application
        if JobApplication.integrity.is_cached(application):
            return application
    return _application(image.application_id)


def _application_query(application_id: int) -> QuerySet[JobApplication]:
    return JobApplication.objects.select_related(*RULES_RELATED, "integrity").filter(
        pk=application_id
    )


def _summary_kept(application: JobApplication) -> bool:
    """Whether the interview's summary row was read with it and exists: then a change that
    moves no points and no count need not touch it (three writes saved per analysed frame)."""
    if not JobApplication.integrity.is_cached(application):
        return False
    try:
        return application.integrity is not None
    except IntegritySummary.DoesNotExist:
        return False


# --- Writing incidents ------------------------------------------------------------------------


def _replace(
    application: JobApplication,
    old: list[IntegrityEvent],
    new: list[integrity.Incident],
    rules: integrity.Rules,
    *,
    whole: bool = False,
) -> bool:
    """Bring the stored episodes a change touched in line with their new versions, in place:
    an incident keeps its id while it grows, shrinks or is re-scored (verdicts and notes point
    at it). A new version is the same incident as a stored one of the same type that overlaps
    it in time or starts with the same frame; a stored one that no new version continues is
    deleted (its evidence is gone). The summary's penalty moves by the difference (no re-read
    of the other episodes) — or, for the whole interview (`whole`), is set afresh. True when
    a stored incident changed.

    Each incident created here (a new id) is announced once through `incident_opened`, in
    the caller's transaction; one kept in place is not announced again."""
    new = integrity.without_checks_off(new, rules)  # an accommodation makes none
    old_points = sum(integrity.incident_points(_as_rules_incident(o), rules.weights) for o in old)
    new_points = sum(integrity.incident_points(i, rules.weights) for i in new)
    unmatched = sorted(old, key=lambda row: (row.started_at, row.pk))
    created = []
    touched = False
    for incident in sorted(new, key=lambda i: (i.started_at, i.type)):
        row = next((r for r in unmatched if _same_incident(r, incident)), None)
        if row is None:
            created.append(IntegrityEvent(application=application, **_fields(incident)))
            continue
        unmatched.remove(row)
        changed = {k: v for k, v in _fields(incident).items() if getattr(row, k) != v}
        if changed:
            touched = True
            for name, value in changed.items():
                setattr(row, name, value)
            row.save(update_fields=list(changed))
    if unmatched:
        verdicts_keep_shape(incidents=unmatched, now=timezone.now())
        IntegrityEvent.objects.filter(pk__in=[row.pk for row in unmatched]).delete()
    IntegrityEvent.objects.bulk_create(created)
    if created:
        incident_opened.send(sender=IntegrityEvent, application=application, incidents=created)
    if whole:
        IntegritySummary.objects.update_or_create(
            application=application,
            defaults={
                "penalty": new_points,
                "score": max(0, 100 - new_points),
                "incident_count": len(new),
            },
        )
        return bool(touched or created or unmatched)
    delta_points, delta_count = new_points - old_points, len(new) - len(old)
    if delta_points == 0 and delta_count == 0 and _summary_kept(application):
        return bool(touched or created or unmatched)
    updated = IntegritySummary.objects.filter(application=application).update(
        penalty=F("penalty") + delta_points,
        score=Greatest(Value(0), Value(100) - F("penalty") - delta_points),
        incident_count=F("incident_count") + delta_count,
    )
    if not updated:
        IntegritySummary.objects.create(
            application=application,
            penalty=max(0, delta_points),
            score=max(0, 100 - delta_points),
            incident_count=max(0, delta_count),
        )
    return bool(touched or created or unmatched)


def _same_incident(row: IntegrityEvent, incident: integrity.Incident) -> bool:
    if row.type != incident.type:
        return False
    if row.type == integrity.IDENTITY_CHANGED:  # one per earlier interview, all at one instant
        return row.earlier_application_id == incident.earlier_application_id
    if row.type == integrity.VIRTUAL_CAMERA:  # one per camera-on
        return row.started_at == incident.started_at
    overlaps = row.started_at <= incident.ended_at and incident.started_at <= row.ended_at
    same_first = bool(row.image_ids) and row.image_ids[:1] == incident.image_ids[:1]
    return overlaps or same_first


def _fields(incident: integrity.Incident) -> dict:
    return {
        "type": incident.type,
        "started_at": incident.started_at,
        "ended_at": incident.ended_at,
        "ongoing": incident.ongoing,
        "frame_count": incident.frame_count,
        "image_ids": list(incident.image_ids),
        "reason": incident.reason[:300],
        "earlier_application_id": incident.earlier_application_id,
    }


def _as_rules_incident(row: IntegrityEvent) -> integrity.Incident:
    return integrity.Incident(row.type, row.started_at, row.ended_at)


def _tell_board(application: JobApplication, *, changed: bool = True) -> None:
    """The board card shows the newest ongoing incident (and hears when it clears); open
    timelines hear that the incidents changed."""
    if changed:
        timeline_changed(application.pk, "integrity")
    current = (
        IntegrityEvent.objects.filter(application_id=application.pk, ongoing=True)
        .order_by("-started_at", "-id")
        .first()
    )
    incident = None
    if current is not None:
        incident = {
            "id": current.pk,
            "type": current.type,
            "label": integrity.LABELS[current.type],
            "since": iso_utc(current.started_at),
            "reason": current.reason,
        }
    extra = {}
    if changed:  # what the card shows beside the incident and depends on it (identity)
        for _, fields in board_card_fields.send(sender=IntegrityEvent, application=application):
            extra.update(fields or {})
    camera_stream_incident(
        user_id=application.candidate_id,
        application_id=application.pk,
        incident=incident,
        **extra,
    )


# --- Frames: the runs a capture can join, split or end ----------------------------------------


def _frames_update(
    application: JobApplication,
    *,
    at: datetime,
    image_id: int,
    rules: integrity.Rules,
    deleted: QuerySet[DeletedCapture],
) -> bool:
    """Re-evaluate the frame episodes around one capture (new, re-analysed or deleted), on
    each track: the analysis flags, and identity (where the organization matches faces).
    True when a stored incident changed."""
    changed = False
    for track in integrity.TRACKS:
        if track == "identity" and not rules.identity:
            continue
        changed |= _track_update(
            application, track, at=at, image_id=image_id, rules=rules, deleted=deleted
        )
    return changed


def _deleted_slots(application: JobApplication) -> QuerySet[DeletedCapture]:
    """The candidate's deleted frame slots as the windows read them — or, when the interview
    has none (nearly always), an empty query that reads nothing: one EXISTS instead of a query
    per side of each track and per silence (issue 40)."""
    deleted = deletions_for_candidate(application)
    return deleted if deleted.exists() else deleted.none()


# What a window reads of a capture (frame_from_image): its time and flags — not the analysis's
# thumbnail and faces, which made these the heaviest reads of an analysis (issue 40).
_FRAME_FIELDS = (
    "captured_at",
    *(f"analysis__{name}" for name in FrameAnalysis.FLAG_FIELDS),
    "analysis__identity_mismatch",
)

# The newest frame's short way reads the frames within one gap limit of it (four or five at
# the intervals' pace); past this many (a frame in the middle of an interview), the windows
# decide.
_NEWEST_READ = 24

# What "known on this track" means for a stored capture (rules.track_flag for the models).
_TRACK_KNOWN = {
    "frame": {"analysis__isnull": False},
    "identity": {"analysis__identity_mismatch__isnull": False},
}


def _track_update(
    application: JobApplication,
    track: str,
    *,
    at: datetime,
    image_id: int,
    rules: integrity.Rules,
    deleted: QuerySet[DeletedCapture],
) -> bool:
    """The window holds `sustain_frames + 1` frames known on the track either side: a run that
    reaches past it is long enough to have been stored as an incident, whose stored extent
    continues it."""
    k = rules.sustain_frames + 1
    analysed = frames_for_candidate(application).filter(**_TRACK_KNOWN[track])
    analysed = analysed.select_related("analysis").only(*_FRAME_FIELDS)  # no pixels, no faces
    key = (at, image_id)
    me: list[integrity.Frame] = []  # the capture itself, read with the earlier side

    def side(*, earlier: bool) -> list[integrity.Frame]:
        """The k + 1 frames (captures and deleted slots) just before or just after `key` (one
        more than the window: whether anything lies beyond it). Range conditions the
        (application, type, captured_at) indexes can serve; the few frames of exactly the
        same instant are told apart by id here."""
        order = ("-captured_at", "-pk") if earlier else ("captured_at", "pk")
        bound = {"captured_at__lte" if earlier else "captured_at__gte": at}
        found = [frame_from_image(i) for i in analysed.filter(**bound).order_by(*order)[: k + 4]]
        if earlier:  # the capture lies at `at`: first in this order, unless k + 4 ties hide it
            me.extend(f for f in found if f.image_id == image_id and f.at == at)
            if not me and len(found) == k + 4 and found[-1].at == at:
                me.extend(frame_from_image(i) for i in analysed.filter(pk=image_id))
        found += [frame_from_deletion(d) for d in deleted.filter(**bound).order_by(*order)[: k + 4]]
        keep = [
            f for f in found if ((f.at, f.image_id) < key if earlier else (f.at, f.image_id) > key)
        ]
        return sorted(keep, key=lambda f: (f.at, f.image_id), reverse=earlier)[: k + 1]

    before, after = side(earlier=True), side(earlier=False)
    at_the_end = len(after) <= k  # nothing known beyond the window
    at_the_start = len(before) <= k  # nothing known before it
    before, after = before[:k], after[:k]
    window = [*reversed(before), *me, *after]
    lo = min([at, *[f.at for f in window]])
    hi = max([at, *[f.at for f in window]])
    stored = list(
        IntegrityEvent.objects.filter(
            application_id=application.pk,
            type__in=integrity.TRACKS[track],
            started_at__lte=hi,
            ended_at__gte=lo,
        )
    )
    new = []
    for flag, run in integrity.frame_runs(window, track):
        if flag is None:
            continue
        start, end, ongoing = run[0].at, run[-1].at, False
        # A stored episode continues a run past the window only where frames lie beyond it
        # (not where the window ends at the interview's first or last analysed frame: a
        # deleted frame there must not keep stretching the episode).
        left = (
            not at_the_start
            and run[0] is window[0]
            and _containing(stored, flag, run[0].at, extends="left")
        )
        right = (
            not at_the_end
            and run[-1] is window[-1]
            and _containing(stored, flag, run[-1].at, extends="right")
        )
        if left:
            start = left.started_at
        if right:
            end, ongoing = right.ended_at, right.ongoing
        elif run[-1] is window[-1] and at_the_end:
            ongoing = True
        if left or right:
            count, ids = _run_extent(analysed, flag, start, end)
        else:
            count, ids = len(run), [f.image_id for f in run[: integrity.IMAGE_IDS_KEPT]]
        if not integrity.sustained(start, end, count, rules):
            continue
        incident = integrity.Incident(
            flag,
            start,
            end,
            ongoing=ongoing and application_is_open(application),
            frame_count=count,
        )
        incident.image_ids = ids
        incident.reason = integrity.describe(incident)
        new.append(incident)
    return _replace(application, stored, new, rules)


def _containing(stored, flag: str, at: datetime, *, extends: str) -> IntegrityEvent | None:
    """The stored episode of `flag` holding the frame at `at` and reaching past the window."""
    for row in stored:
        if row.type != flag or not (row.started_at <= at <= row.ended_at):
            continue
        if (extends == "left" and row.started_at < at) or (
            extends == "right" and row.ended_at > at
        ):
            return row
    return None


def _run_extent(analysed, flag: str, start: datetime, end: datetime) -> tuple[int, list[int]]:
    """Frame count and first ids of a run reaching past the window: one count, ≤ 20 ids."""
    run = analysed.filter(
        captured_at__gte=start, captured_at__lte=end, **{f"analysis__{flag}": True}
    )
    ids = list(
        run.order_by("captured_at", "pk").values_list("pk", flat=True)[: integrity.IMAGE_IDS_KEPT]
    )
    return run.count(), ids


# --- Snapshot gaps and late uploads: the silence between two on-time captures ---------------


def _gaps_update(
    application: JobApplication,
    *,
    at: datetime,
    now: datetime,
    rules: integrity.Rules,
    deleted: QuerySet[DeletedCapture] | None = None,
) -> bool:
    if not application.camera_monitoring:
        return False
    frames = frames_for_candidate(application)
    if deleted is None:  # a deleted frame leaves no silence
        deleted = deletions_for_candidate(application)

    def nearest(*, earlier: bool) -> datetime | None:
        condition = {"captured_at__lt" if earlier else "captured_at__gt": at, "late": False}
        order = "-captured_at" if earlier else "captured_at"
        found = [
            t
            for qs in (frames, deleted)
            for t in qs.filter(**condition)
            .order_by(order)
            .values_list("captured_at", flat=True)[:1]
        ]
        return (max if earlier else min)(found, default=None)

    a, b = nearest(earlier=True), nearest(earlier=False)
    span = {}
    if a is not None:
        span["captured_at__gte"] = a
    if b is not None:
        span["captured_at__lte"] = b
    inside = [
        row
        for qs in (frames, deleted)
        for row in qs.filter(**span).values_list("captured_at", "received_at", "late")
    ]
    cameras = CameraEvent.objects.filter(application_id=application.pk).order_by(
        "occurred_at", "id"
    )
    events = []
    if a is not None:
        events += list(cameras.filter(occurred_at__lt=a).reverse()[:1])
        cameras = cameras.filter(occurred_at__gte=a)
    if b is not None:
        cameras = cameras.filter(occurred_at__lte=b)
    events += list(cameras)
    live = []
    for on, off in camera_live_intervals(
        events, now=now, open_end=application_is_open(application)
    ):
        on, off = max(on, a) if a else on, min(off, b) if b else off
        if on < off:
            live.append((on, off))
    new = integrity.snapshot_gaps(
        [t for t, _, late in inside if not late],
        live,
        interval=application.camera_interval,
        open_end=application_is_open(application),
        now=now,
        late=[integrity.LateFrame(t, r) for t, r, late in inside if late],
    )
    new = without_consent_gaps(application, new, rules)
    stored = IntegrityEvent.objects.filter(
        application_id=application.pk, type__in=integrity.GAP_KINDS
    )
    if a is not None:
        stored = stored.filter(started_at__gte=a)
    if b is not None:
        stored = stored.filter(started_at__lt=b)
    return _replace(application, list(stored), new, rules)


# --- Interval incidents: the events between two closing events of one kind ------------------


def _family_update(
    application: JobApplication,
    family: Family,
    *,
    at: datetime,
    now: datetime,
    rules: integrity.Rules,
) -> bool:
    events = events_for_family(application, family)
    time = "counted_at" if family.source == "page" else "occurred_at"
    closing = "type__in" if family.source == "page" else "kind__in"
    before = events.filter(**{closing: family.end, f"{time}__lt": at}).reverse()[:1]
    after = events.filter(**{closing: family.end, f"{time}__gt": at})[:1]
    a = getattr(before[0], time) if before else None
    b = getattr(after[0], time) if after else None
    inside = events
    stored = IntegrityEvent.objects.filter(application_id=application.pk, type=family.kind)
    if a is not None:
        inside = inside.filter(**{f"{time}__gt": a})
        stored = stored.filter(started_at__gt=a)
    if b is not None:
        inside = inside.filter(**{f"{time}__lte": b})
        stored = stored.filter(started_at__lte=b)
    new = incidents_for_family(
        application, family, [event_from_row(e) for e in inside], rules, now=now
    )
    return _replace(application, list(stored), new, rules)


# --- The rules an interview is judged by ------------------------------------------------------

RULE_FIELDS = ("sustain_frames", "sustain_seconds", "tab_hidden_seconds", "window_blur_seconds")


def integrity_rules_freeze(*, application_id: int) -> None:
    """The interview started: its organization's rules as they stand now are the ones it is
    judged by, whatever the organization changes later (once; a second start keeps them)."""
    organization = (
        Organization.objects.filter(
            jobs__applications=application_id, jobs__applications__interview_rules__isnull=True
        )
        .select_related("integrity_rules")
        .first()
    )
    if organization is None:
        return  # frozen already (or no such interview)
    rules = integrity_rules_of_organization(organization)
    # One INSERT … ON CONFLICT DO NOTHING: a second start racing this one leaves the first
    # one's rules (no savepoint and exists-check around it: issue 40, the camera-on burst).
    InterviewRules.objects.bulk_create(
        [
            InterviewRules(
                application_id=application_id,
                weights=dict(rules.weights),
                **{name: getattr(rules, name) for name in RULE_FIELDS},
            )
        ],
        ignore_conflicts=True,
    )


def integrity_rules_update(
    *, actor: User, organization: Organization, values: dict, info: RequestInfo
) -> IntegrityRules:
    """An admin or a recruiter of the organization changes its rules or weights (the flag
    statistics page). Applied to interviews that start afterwards; audited, from what to what.
    `values`: any of RULE_FIELDS, and `weights` {type: points per started minute}."""
    if not (
        actor.is_admin_role or (actor.is_recruiter and actor.organization_id == organization.pk)
    ):
        raise NotAllowed("Only the organization's recruiters and admins may change its rules.")
    with transaction.atomic():
        stored, _ = IntegrityRules.objects.select_for_update().get_or_create(
            organization=organization
        )
        before = integrity_rules_for(organization_id=organization.pk)
        changes = []
        for name in RULE_FIELDS:
            if name in values and getattr(before, name) != values[name]:
                changes.append(f"{name} {getattr(before, name)} → {values[name]}")
                setattr(stored, name, values[name])
        weights = dict(stored.weights)
        for kind, points in (values.get("weights") or {}).items():
            if before.weights.get(kind, 0) != points:
                changes.append(f"weight of {kind} {before.weights.get(kind, 0)} → {points}")
                weights[kind] = points
        if not changes:
            return stored
        stored.weights = weights
        stored.save()
        access_log(
            actor=actor,
            action=AccessEvent.Action.RULES_CHANGED,
            info=info,
            detail=f"{organization.name}: " + "; ".join(changes),
        )
    return stored


# --- Entry points (tasks call these by id) ----------------------------------------------------


def integrity_frame_changed(
    *, image_id: int, now: datetime | None = None, image: MonitoringImage | None = None
) -> None:
    """A capture was stored or analysed: its episodes and the silence around it. `image`: the
    capture as the caller just read it (the analysis), not read again."""
    if image is None or image.pk != image_id:
        image = MonitoringImage.objects.filter(pk=image_id).first()
    if image is None or image.image_type != "camera":
        return
    application = _application_of(image)
    if application is None or image.uploaded_by_id != application.candidate_id:
        return  # someone else's capture is shown, never counted
    _frame_update(application, at=image.captured_at, image_id=image.pk, now=now, appended=True)


def integrity_frame_removed(
    *, application: JobApplication, at: datetime, image_id: int, now: datetime | None = None
) -> None:
    """A capture was deleted (its row is gone): the runs and the silence it was part of."""
    _frame_update(application, at=at, image_id=image_id, now=now)


def _frame_update(application, *, at, image_id, now, appended: bool = False) -> None:
    """`appended`: the capture was stored or analysed (not deleted) — the newest one may take
    the short way (`_newest_frame_update`)."""
    now = now or timezone.now()
    rules = integrity_rules_of(application)
    with transaction.atomic():
        locked = JobApplication.objects.lock(application.pk)
        if locked is None:
            return  # deleted meanwhile (an erasure): nothing left to update
        # The interview may have ended since it was read (the analysis reads it before its
        # detector runs): whether episodes may still be ongoing is decided as it stands now.
        for name in ("status", "started_at", "completed_at", "terminated_at"):
            setattr(application, name, getattr(locked, name))
        deleted = _deleted_slots(application)
        changed = None
        # (A deleted slot is a frame of its own: only the windows read them.)
        if appended and deleted.query.is_empty():
            changed = _newest_frame_update(
                application, at=at, image_id=image_id, now=now, rules=rules
            )
        if changed is None:
            changed = _frames_update(
                application, at=at, image_id=image_id, rules=rules, deleted=deleted
            )
            changed |= _gaps_update(application, at=at, now=now, rules=rules, deleted=deleted)
    _tell_board(application, changed=changed)


def _newest_frame_update(
    application: JobApplication,
    *,
    at: datetime,
    image_id: int,
    now: datetime,
    rules: integrity.Rules,
) -> bool | None:
    """The short way for what nearly every analysis is: the newest analysed frame of an
    interview with no deleted frame, on time, the silence either side of it shorter than a
    gap. Two reads instead of the windows' twenty (issue 40); None when the frame is not
    that case, and the windows decide.

    What the full windows would find then, given that the stored incidents agree with them
    before this frame (the invariant the incremental updates keep): a frame with no flag on
    a track changes nothing there while no episode of the track is ongoing (it cannot split a
    run that no incident holds: a shorter run is never sustained where the longer was not);
    a flagged frame continues the track's ongoing episode of the same flag by one frame; no
    silence opens or closes. Anything else — an ongoing episode a flagless frame ends, a
    first flagged frame, a frame already counted (the task ran twice), another frame known
    after it — takes the windows."""
    if not _summary_kept(application):
        return None  # the windows' write makes the summary row
    limit = timedelta(seconds=2 * application.camera_interval)
    # From one gap limit before it to one after, and any frame known later (then: the
    # windows) — not the backlog of captures still waiting for their analysis.
    nearby = list(
        frames_for_candidate(application)
        .filter(
            Q(captured_at__lte=at + limit) | Q(analysis__isnull=False),
            captured_at__gte=at - limit,
        )
        .select_related("analysis")
        .only("late", *_FRAME_FIELDS)
        .order_by("captured_at", "pk")[:_NEWEST_READ]
    )
    me = next((image for image in nearby if image.pk == image_id), None)
    if me is None or me.late or len(nearby) == _NEWEST_READ:
        return None
    key = (at, image_id)
    later = [image for image in nearby if (image.captured_at, image.pk) > key]
    if any(frame_from_image(image).flags is not None for image in later):
        return None  # a frame known after it: the windows
    frame = frame_from_image(me)
    gaps = application.camera_monitoring
    if gaps:
        earlier = [i.captured_at for i in nearby if not i.late and i.captured_at < at]
        following = [i.captured_at for i in later if not i.late and i.captured_at > at]
        if not earlier:
            return None  # the silence before it reaches past the read (or it is the first)
        # None read after it: a capture stored meanwhile lies at most the clock tolerance
        # ahead of now (client_time), so no silence after it is longer than this.
        tolerance = timedelta(seconds=settings.MONITORING_CLOCK_TOLERANCE_SECONDS)
        end = min(following) if following else now + tolerance
        if end - at > limit:
            return None  # a silence after it (the analysis ran long after the capture)
    condition = Q(ongoing=True, type__in=integrity.FRAME_KINDS)
    if gaps:
        condition |= Q(type__in=integrity.GAP_KINDS, started_at__gte=max(earlier))
    stored = list(IntegrityEvent.objects.filter(condition, application_id=application.pk))
    if any(row.type in integrity.GAP_KINDS for row in stored):
        return None  # a silence stored around it: the gap rules decide
    grown = []  # (the stored episode, its version one frame longer): written once all agree
    for track, kinds in integrity.TRACKS.items():
        if track == "identity" and not rules.identity:
            continue
        known, flag = integrity.track_flag(frame, track)
        if not known:
            continue  # not on this track (yet): nothing of it changes
        ongoing = [row for row in stored if row.type in kinds]
        if flag is None:
            if ongoing:
                return None  # it ends the ongoing episode
            continue
        if len(ongoing) != 1 or ongoing[0].type != flag or not ongoing[0].ended_at < at:
            return None  # it starts a run, or is already counted
        if not application_is_open(application):
            return None
        row = ongoing[0]
        incident = integrity.Incident(
            flag,
            row.started_at,
            at,
            ongoing=True,
            frame_count=row.frame_count + 1,
            image_ids=[*row.image_ids, image_id][: integrity.IMAGE_IDS_KEPT],
        )
        incident.reason = integrity.describe(incident)
        grown.append((row, incident))
    changed = False
    for row, incident in grown:
        changed |= _replace(application, [row], [incident], rules)
    return changed


def _interval_update(
    application_id: int,
    *,
    source: str,
    type: str,
    at,
    now,
    gaps: bool,
    application: JobApplication | None = None,
) -> None:
    """The episodes of the families an event belongs to, between the closing events around it
    (and, for the camera, the silences around it). `application`: read already (_application)."""
    application = application or _application(application_id)
    now = now or timezone.now()
    rules = integrity_rules_of(application)
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        changed = False
        for family in incident_families_for(source=source, type=type):
            changed |= _family_update(application, family, at=at, now=now, rules=rules)
        if gaps:
            deleted = _deleted_slots(application)
            changed |= _gaps_update(application, at=at, now=now, rules=rules, deleted=deleted)
    _tell_board(application, changed=changed)


def integrity_event_recorded(*, event_id: int, now: datetime | None = None) -> None:
    """A page event: the episodes of its kind between the closing events around it."""
    event = MonitoringEvent.objects.filter(pk=event_id).first()
    if event is not None and event.type == MonitoringEvent.Type.VIRTUAL_CAMERA:
        _virtual_camera_update(event.application_id)
    elif event is not None:
        _interval_update(
            event.application_id,
            source="page",
            type=event.type,
            at=event.counted_at,
            now=now,
            gaps=False,
        )


def integrity_camera_changed(*, camera_event_id: int, now: datetime | None = None) -> None:
    """The camera went on, off or silent: camera-off episodes and the silences around it."""
    event = CameraEvent.objects.filter(pk=camera_event_id).first()
    if event is None or event.application_id is None:
        return
    now = now or timezone.now()
    application = _application_for_camera_event(event)
    if application is None:
        return
    if _first_camera_on(application, event, now=now):
        return
    _interval_update(
        event.application_id,
        source="camera",
        type=event.kind,
        at=event.occurred_at,
        now=now,
        gaps=True,
        application=application,
    )


def _application_for_camera_event(event: CameraEvent) -> JobApplication | None:
    """_application, and (for a camera-on) whether anything but this event is on record."""
    application = _application_query(event.application_id)
    if event.kind == CameraEvent.Kind.ON:
        pk = OuterRef("pk")
        application = application.annotate(
            recorded_before=Exists(
                CameraEvent.objects.filter(application_id=pk).exclude(pk=event.pk)
            )
            | Exists(MonitoringImage.objects.filter(application_id=pk))
            | Exists(DeletedCapture.objects.filter(application_id=pk))
            | Exists(IntegrityEvent.objects.filter(application_id=pk))
        )
    return application.first()


def _first_camera_on(application: JobApplication, event: CameraEvent, *, now: datetime) -> bool:
    """The short way of an interview's first camera-on — 300 cameras coming on within seconds
    cost the analysis worker ~20 queries each (issue 40). True when it answered.

    It answers when the camera-on is the only thing on record for an interview in progress (no
    other camera event, no capture, no deleted slot, no incident) and the camera has been on
    for no longer than a gap (2 × camera_interval). The windows find nothing then: a camera-off
    episode opens only at an off or a silence, and a silence needs a live stretch longer than
    a gap with no frame in it. So it stores nothing, and does what the windows' unchanged
    answer does besides: the summary is made if it is missing (score 100, no incident) and the
    board card is told there is no incident."""
    if (
        event.kind != CameraEvent.Kind.ON
        or application.recorded_before
        or not application_is_open(application)
        or now - event.occurred_at > timedelta(seconds=2 * application.camera_interval)
    ):
        return False
    if not _summary_kept(application):
        IntegritySummary.objects.bulk_create(
            [IntegritySummary(application=application, penalty=0, score=100, incident_count=0)],
            ignore_conflicts=True,
        )
    camera_stream_incident(
        user_id=application.candidate_id, application_id=application.pk, incident=None
    )
    return True


def _virtual_camera_update(application_id: int) -> None:
    """The interview's virtual-camera incidents, stored again (one per camera-on: a few)."""
    application = _application(application_id)
    if application is None:
        return
    rules = integrity_rules_of(application)
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        stored = list(
            IntegrityEvent.objects.filter(
                application_id=application.pk, type=integrity.VIRTUAL_CAMERA
            )
        )
        changed = _replace(application, stored, virtual_camera_for(application), rules)
    _tell_board(application, changed=changed)


def integrity_identity_changed(*, application_id: int) -> None:
    """The interview's selfie changed (or an earlier interview's did): its comparisons with the
    candidate's earlier interviews, stored again (a handful of rows)."""
    application = _application(application_id)
    if application is None:
        return
    rules = integrity_rules_of(application)
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        stored = list(
            IntegrityEvent.objects.filter(
                application_id=application.pk, type=integrity.IDENTITY_CHANGED
            )
        )
        _replace(application, stored, identity_changed_for(application, rules), rules)


def integrity_rebuild(*, application_id: int, now: datetime | None = None) -> dict | None:
    """Recompute every incident from scratch and store them (rules changed, interview ended);
    incidents that go on keep their ids."""
    application = _application(application_id)
    if application is None:
        return None
    result = integrity_compute(application=application, now=now)
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        stored = list(IntegrityEvent.objects.filter(application=application))
        changed = _replace(application, stored, result["incidents"], result["rules"], whole=True)
    _tell_board(application, changed=changed)
    return result


def snapshot_gaps_sweep(*, now: datetime | None = None) -> int:
    """What goes on with nothing new arriving, surfaced as ongoing incidents when the rules
    say: every live camera's silence, and every open page episode of an interview in
    progress (the screen no longer shared, the tab hidden — the page that would say more may
    be closed). Returns how many interviews it looked at."""
    now = now or timezone.now()
    looked = 0
    ids = set(live_application_ids())
    for application in JobApplication.objects.select_related("job").filter(pk__in=ids):
        rules = integrity_rules_of(application)
        with transaction.atomic():
            JobApplication.objects.lock(application.pk)
            changed = _gaps_update(application, at=now, now=now, rules=rules)
        _tell_board(application, changed=changed)
        looked += 1
    for family in FAMILIES:
        if family.source != "page":
            continue
        for application in applications_with_open_episode(family):
            rules = integrity_rules_of(application)
            with transaction.atomic():
                JobApplication.objects.lock(application.pk)
                changed = _family_update(application, family, at=now, now=now, rules=rules)
            if changed:
                _tell_board(application)
            looked += 1
    return looked


__all__ = [
    "FAMILIES",
    "RULE_FIELDS",
    "integrity_camera_changed",
    "integrity_event_recorded",
    "integrity_frame_changed",
    "integrity_frame_removed",
    "integrity_identity_changed",
    "integrity_rebuild",
    "integrity_rules_freeze",
    "integrity_rules_update",
    "snapshot_gaps_sweep",
]
