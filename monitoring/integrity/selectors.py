"""Reads for integrity: an organization's rules, the inputs the rules count, and an
application's report (stored incidents, the ongoing ones extended to now) — nothing written.

Only what the candidate sent counts: captures uploaded by anyone else are shown and kept, but
they never make or close an incident. Late captures count only as late uploads.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Organization
from applications.models import JobApplication
from applications.selectors import consent_history
from cameras.models import CameraEvent
from monitoring.decisions.selectors import verdicts_in_force
from monitoring.faces.templates import distance
from monitoring.models import (
    DeletedCapture,
    IdentityReference,
    ImageType,
    IntegrityEvent,
    IntegrityRules,
    InterviewRules,
    MonitoringEvent,
    MonitoringImage,
)

from . import rules as integrity


@dataclass(frozen=True)
class Family:
    """A kind of interval incident: opened by one set of events, closed by another."""

    kind: str
    start: frozenset
    end: frozenset
    source: str  # "page" (MonitoringEvent, counted_at) or "camera" (CameraEvent, occurred_at)

    @property
    def types(self) -> frozenset:
        return self.start | self.end

    def min_seconds(self, rules: integrity.Rules) -> int:
        if self.kind == "tab_hidden":
            return rules.tab_hidden_seconds
        if self.kind == "window_blur":
            return rules.window_blur_seconds
        return rules.sustain_seconds


FAMILIES = (
    Family("tab_hidden", frozenset({"tab_hidden"}), frozenset({"tab_visible"}), "page"),
    Family("window_blur", frozenset({"window_blur"}), frozenset({"window_focus"}), "page"),
    Family(
        "screen_share_stopped",
        frozenset({"screen_share_stopped"}),
        frozenset({"screen_share_started"}),
        "page",
    ),
    Family("camera_off", frozenset({"off", "timeout"}), frozenset({"on"}), "camera"),
)


def incident_families_for(*, source: str, type: str) -> list[Family]:
    return [f for f in FAMILIES if f.source == source and type in f.types]


def _rules_from(
    organization: Organization | None, stored: IntegrityRules | None
) -> integrity.Rules:
    weights = {**settings.INTEGRITY_WEIGHTS, **(stored.weights if stored else {})}
    check, threshold = (
        (organization.identity_check, organization.identity_threshold)
        if organization is not None
        else (Organization.IdentityCheck.SELFIE, 0.6)
    )
    identity = {
        "identity": check != Organization.IdentityCheck.OFF,
        "identity_threshold": threshold,
    }
    if stored is None:
        return integrity.Rules(2, 20, 10, 10, weights, **identity)
    return integrity.Rules(
        stored.sustain_frames,
        stored.sustain_seconds,
        stored.tab_hidden_seconds,
        stored.window_blur_seconds,
        weights,
        **identity,
    )


def integrity_rules_for(*, organization_id: int) -> integrity.Rules:
    organization = (
        Organization.objects.filter(pk=organization_id).select_related("integrity_rules").first()
    )
    return integrity_rules_of_organization(organization)


def integrity_rules_of_organization(organization: Organization | None) -> integrity.Rules:
    """integrity_rules_for an organization read with its `integrity_rules` (select_related)."""
    stored = getattr(organization, "integrity_rules", None) if organization else None
    return _rules_from(organization, stored)


# What integrity_rules_of reads with the interview, in the same query (RULES_RELATED).
RULES_RELATED = ("job__organization__integrity_rules", "interview_rules")
# A capture read with these (the analysis does) brings its interview as the integrity update
# of the frame needs it — rules and summary — and that update reads no interview again.
CAPTURE_RELATED = tuple(f"application__{name}" for name in (*RULES_RELATED, "integrity"))


def _with_interview(
    rules: integrity.Rules, application: JobApplication, frozen: InterviewRules | None
) -> integrity.Rules:
    """The organization's rules as they stood when the interview started (frozen), and the
    checks turned off for it."""
    changes: dict = {"checks_off": frozenset(application.checks_off or ())}
    if frozen is not None:
        changes.update(
            sustain_frames=frozen.sustain_frames,
            sustain_seconds=frozen.sustain_seconds,
            tab_hidden_seconds=frozen.tab_hidden_seconds,
            window_blur_seconds=frozen.window_blur_seconds,
            weights={**settings.INTEGRITY_WEIGHTS, **frozen.weights},
        )
    return replace(rules, **changes)


def integrity_rules_of(application: JobApplication) -> integrity.Rules:
    """The rules one interview is judged by: its organization's rules frozen when it started
    (a later change applies to interviews that start afterwards), without its checks off.
    No query when the interview was read with RULES_RELATED (the integrity updates do)."""
    state = application._state.fields_cache
    job = state.get("job")
    if job is not None and "interview_rules" in state and "organization" in job._state.fields_cache:
        organization = job.organization
        stored = getattr(organization, "integrity_rules", None)  # cached: None when absent
        rules = _rules_from(organization, stored)
        frozen = getattr(application, "interview_rules", None)
    else:
        rules = integrity_rules_for(organization_id=application.job.organization_id)
        frozen = InterviewRules.objects.filter(application_id=application.pk).first()
    return _with_interview(rules, application, frozen)


def application_is_open(application: JobApplication) -> bool:
    """Incidents of an interview in progress may still be going on."""
    return application.status == JobApplication.Status.IN_PROGRESS


def application_window(application: JobApplication) -> tuple[datetime | None, datetime | None]:
    return (application.started_at, application.completed_at or application.terminated_at)


# --- Inputs -----------------------------------------------------------------------------------


def frames_for_candidate(application: JobApplication) -> QuerySet[MonitoringImage]:
    """The candidate's own camera captures: the only ones the rules count."""
    return MonitoringImage.objects.filter(
        application_id=application.pk,
        image_type=ImageType.CAMERA,
        uploaded_by_id=application.candidate_id,
    )


def frame_from_image(image: MonitoringImage) -> integrity.Frame:
    analysis = getattr(image, "analysis", None)
    if analysis is None:
        return integrity.Frame(image.pk, image.captured_at, None)
    return integrity.Frame(
        image.pk, image.captured_at, tuple(analysis.flags), analysis.identity_mismatch
    )


def deletions_for_candidate(application: JobApplication) -> QuerySet[DeletedCapture]:
    """The slots of the candidate's camera frames that a reviewer deleted."""
    return DeletedCapture.objects.filter(
        application_id=application.pk, image_type=ImageType.CAMERA, by_candidate=True
    )


def frame_from_deletion(deleted: DeletedCapture) -> integrity.Frame:
    """A deleted frame counts as a frame that showed nothing wrong (its id negative: it names
    no capture, and sorts before a capture of the same instant)."""
    return integrity.Frame(-deleted.pk, deleted.captured_at, (), False)


def earlier_selfies(
    application: JobApplication,
) -> tuple[IdentityReference | None, list[integrity.EarlierSelfie]]:
    """The interview's current selfie, and the current selfies of the same candidate's earlier
    interviews (created before this one) in the same organization, each with its distance."""
    selfie = IdentityReference.objects.filter(
        application_id=application.pk, kind=IdentityReference.Kind.SELFIE, replaced_at=None
    ).first()
    if selfie is None:
        return None, []
    others = (
        IdentityReference.objects.filter(
            kind=IdentityReference.Kind.SELFIE,
            replaced_at=None,
            application__candidate_id=application.candidate_id,
            application__job__organization_id=application.job.organization_id,
        )
        .filter(
            Q(application__created_at__lt=application.created_at)
            | Q(application__created_at=application.created_at, application_id__lt=application.pk)
        )
        .select_related("application__job")
        .order_by("application__created_at", "application_id")
    )
    return selfie, [
        integrity.EarlierSelfie(
            other.application_id,
            other.application.job.title,
            other.created_at,
            distance(selfie.descriptor, other.descriptor),
        )
        for other in others
    ]


def identity_changed_for(
    application: JobApplication, rules: integrity.Rules
) -> list[integrity.Incident]:
    if not rules.identity:
        return []
    selfie, earlier = earlier_selfies(application)
    return integrity.identity_changed_incidents(
        selfie.created_at if selfie else None, earlier, threshold=rules.identity_threshold
    )


def virtual_camera_for(application: JobApplication) -> list[integrity.Incident]:
    """The interview's camera-ons with a virtual camera (the server's page events)."""
    rows = MonitoringEvent.objects.filter(
        application_id=application.pk, type=MonitoringEvent.Type.VIRTUAL_CAMERA
    ).values_list("counted_at", "detail")
    return integrity.virtual_camera_incidents(list(rows))


def events_for_family(application: JobApplication, family: Family) -> QuerySet:
    """The events of one family, with the time the rules count them at as `at`."""
    if family.source == "page":
        return MonitoringEvent.objects.filter(
            application_id=application.pk, type__in=family.types
        ).order_by("counted_at", "id")
    return CameraEvent.objects.filter(
        application_id=application.pk, kind__in=family.types
    ).order_by("occurred_at", "id")


def event_from_row(row) -> integrity.Event:
    if isinstance(row, MonitoringEvent):
        return integrity.Event(row.type, row.counted_at)
    return integrity.Event(row.kind, row.occurred_at)


def camera_live_intervals(
    camera_events: list[CameraEvent], *, now: datetime, open_end: bool
) -> list[tuple[datetime, datetime]]:
    """When the camera was live, from its on / off / heartbeat-lost history (time order)."""
    intervals, opened = [], None
    for event in camera_events:
        if event.kind == CameraEvent.Kind.ON and opened is None:
            opened = event.occurred_at
        elif event.kind != CameraEvent.Kind.ON and opened is not None:
            intervals.append((opened, event.occurred_at))
            opened = None
    if opened is not None and open_end:
        intervals.append((opened, now))
    return intervals


def applications_with_open_episode(family: Family) -> QuerySet[JobApplication]:
    """Interviews in progress whose latest event of a page family opens an episode (the tab
    is hidden, the screen no longer shared) and that have no ongoing incident of it yet: the
    sweep looks whether the episode has lasted long enough to count."""
    latest = (
        MonitoringEvent.objects.filter(application=OuterRef("pk"), type__in=family.types)
        .order_by("-counted_at", "-id")
        .values("type")[:1]
    )
    surfaced = IntegrityEvent.objects.filter(
        application=OuterRef("pk"), type=family.kind, ongoing=True
    )
    return (
        JobApplication.objects.filter(status=JobApplication.Status.IN_PROGRESS)
        .annotate(latest_type=Subquery(latest))
        .filter(latest_type__in=family.start)
        .exclude(Exists(surfaced))
        .select_related("job")
    )


def screen_sharing_state(*, application_id: int) -> str:
    """What the record says of the candidate's screen: `open` (its latest screen event is a
    start — a page that comes back without sharing records that it ended), `stopped`, or
    `never` shared in this interview."""
    latest = (
        MonitoringEvent.objects.filter(
            application_id=application_id,
            type__in=(
                MonitoringEvent.Type.SCREEN_SHARE_STARTED,
                MonitoringEvent.Type.SCREEN_SHARE_STOPPED,
            ),
        )
        .order_by("-counted_at", "-id")
        .values_list("type", flat=True)
        .first()
    )
    if latest is None:
        return "never"
    return "open" if latest == MonitoringEvent.Type.SCREEN_SHARE_STARTED else "stopped"


def incidents_for_family(
    application: JobApplication,
    family: Family,
    events: list[integrity.Event],
    rules: integrity.Rules,
    *,
    now: datetime,
) -> list[integrity.Incident]:
    incidents = integrity.interval_incidents(
        events,
        start=set(family.start),
        end=set(family.end),
        kind=family.kind,
        min_seconds=family.min_seconds(rules),
        now=now,
        open_end=application_is_open(application),
        # Page events count up to the end (an episode open at Finish closes there); camera
        # events only inside the interview.
        window=application_window(application)
        if family.source == "camera"
        else (None, application.completed_at or application.terminated_at),
    )
    return without_consent_gaps(application, incidents, rules)


def consent_gaps(application: JobApplication) -> list[tuple[datetime, datetime | None]]:
    """When the candidate's consent was withdrawn: from each withdrawal to the next consent
    (None: not given again). Nothing in these counts (integrity.outside_gaps)."""
    gaps: list[tuple[datetime, datetime | None]] = []
    opened = None
    for decision in consent_history(application_id=application.pk):
        if decision["decision"] == "withdrawn" and opened is None:
            opened = decision["at"]
        elif decision["decision"] == "given" and opened is not None:
            gaps.append((opened, decision["at"]))
            opened = None
    if opened is not None:
        gaps.append((opened, None))
    return gaps


def without_consent_gaps(
    application: JobApplication, incidents: list[integrity.Incident], rules: integrity.Rules
) -> list[integrity.Incident]:
    minimum = {family.kind: family.min_seconds(rules) for family in FAMILIES}
    minimum["snapshot_gap"] = 2 * application.camera_interval
    return integrity.outside_gaps(
        incidents,
        consent_gaps(application),
        min_seconds=minimum,
        interval=application.camera_interval,
    )


# --- The whole interview at once (the reference the incremental updates must equal) ----------


def integrity_compute(*, application: JobApplication, now: datetime | None = None) -> dict:
    """Incidents, score and summary of one application from every stored input."""
    now = now or timezone.now()
    rules = integrity_rules_of(application)
    open_end = application_is_open(application)
    images = list(
        frames_for_candidate(application).select_related("analysis").order_by("captured_at", "id")
    )
    deleted = list(deletions_for_candidate(application))
    frames = [frame_from_image(i) for i in images] + [frame_from_deletion(d) for d in deleted]
    incidents = integrity.frame_incidents(frames, rules, open_end=open_end)
    incidents += identity_changed_for(application, rules)
    incidents += virtual_camera_for(application)
    for family in FAMILIES:
        events = [event_from_row(e) for e in events_for_family(application, family)]
        incidents += incidents_for_family(application, family, events, rules, now=now)
    if application.camera_monitoring:
        camera = CameraEvent.objects.filter(application_id=application.pk).order_by(
            "occurred_at", "id"
        )
        marks = [*images, *deleted]  # a deleted frame leaves no silence behind
        gaps = integrity.snapshot_gaps(
            [m.captured_at for m in marks if not m.late],
            camera_live_intervals(list(camera), now=now, open_end=open_end),
            interval=application.camera_interval,
            open_end=open_end,
            now=now,
            late=[integrity.LateFrame(m.captured_at, m.received_at) for m in marks if m.late],
        )
        incidents += without_consent_gaps(application, gaps, rules)
    incidents = integrity.without_checks_off(incidents, rules)
    incidents.sort(key=lambda i: (i.started_at, i.type))
    value, summary = integrity.score(incidents, rules.weights)
    return {"score": value, "summary": summary, "incidents": incidents, "rules": rules}


# --- What pages and the API show --------------------------------------------------------------


def incident_from_row(row: IntegrityEvent) -> integrity.Incident:
    return integrity.Incident(
        row.type,
        row.started_at,
        row.ended_at,
        ongoing=row.ongoing,
        image_ids=list(row.image_ids),
        reason=row.reason,
        frame_count=row.frame_count,
        earlier_application_id=row.earlier_application_id,
        id=row.pk,
    )


def _extended(
    incident: integrity.Incident, application: JobApplication, now: datetime
) -> integrity.Incident:
    """An ongoing interval or gap incident lasts until now: computed here, never stored.
    Once the interview has ended nothing is ongoing (even before the end's rebuild ran)."""
    if incident.ongoing and not application_is_open(application):
        incident.ongoing = False
        incident.reason = integrity.describe(incident, interval=application.camera_interval)
        return incident
    if not incident.ongoing or incident.type in integrity.FRAME_KINDS or now <= incident.ended_at:
        return incident
    incident.ended_at = now
    incident.reason = integrity.describe(incident, interval=application.camera_interval)
    return incident


def integrity_report_from(
    application: JobApplication,
    rows: list[IntegrityEvent],
    rules: integrity.Rules,
    now: datetime,
    evidence: dict,
    verdicts: dict | None = None,
) -> dict:
    """The automatic score counts every incident; the reviewed score leaves out those a
    reviewer dismissed."""
    verdicts = verdicts or {}
    incidents = [_extended(incident_from_row(row), application, now) for row in rows]
    incidents.sort(key=lambda i: (i.started_at, i.type))
    value, summary = integrity.score(incidents, rules.weights)
    for incident in incidents:
        incident.points = integrity.incident_points(incident, rules.weights)
        incident.verdict = verdicts.get(incident.id)
    counted = [i for i in incidents if not (i.verdict and i.verdict.verdict == "dismissed")]
    reviewed, _ = integrity.score(counted, rules.weights)
    return {
        "score": value,
        "reviewed_score": reviewed,
        "summary": summary,
        "incidents": incidents,
        "rules": rules,
        "started": application.started_at is not None,
        **evidence,
    }


def evidence_for(
    *, applications: list[JobApplication], now: datetime
) -> dict[int, dict[str, int | float | str]]:
    """What a score rests on, per application: the candidate's camera frames analysed and
    pending, those showing exactly one face, the seconds the camera was live. With camera
    monitoring, fewer than half of the analysed frames showing the candidate's face is
    `insufficient_evidence`: a score over unusable frames is a state, not a number. Three
    queries for any number of applications."""
    ids = [a.pk for a in applications]
    frames = (
        MonitoringImage.objects.filter(
            application_id__in=ids,
            image_type=ImageType.CAMERA,
            uploaded_by_id=F("application__candidate_id"),
        )
        .values("application_id")
        .annotate(
            analysed=Count("pk", filter=Q(analysis__isnull=False)),
            pending=Count("pk", filter=Q(analysis__isnull=True)),
            one_face=Count("pk", filter=Q(analysis__face_count=1)),
        )
    )
    counts = {row["application_id"]: row for row in frames}
    events: dict[int, list[CameraEvent]] = {pk: [] for pk in ids}
    for event in CameraEvent.objects.filter(application_id__in=ids).order_by("occurred_at", "id"):
        events[event.application_id].append(event)
    result = {}
    for application in applications:
        row = counts.get(application.pk, {"analysed": 0, "pending": 0, "one_face": 0})
        live = camera_live_intervals(
            events[application.pk], now=now, open_end=application_is_open(application)
        )
        usable = row["analysed"] > 0 and 2 * row["one_face"] >= row["analysed"]
        result[application.pk] = {
            "frames_analysed": row["analysed"],
            "frames_pending": row["pending"],
            "frames_with_one_face": row["one_face"],
            "recorded_seconds": round(sum((b - a).total_seconds() for a, b in live), 1),
            "state": "ok"
            if usable or not application.camera_monitoring
            else ("insufficient_evidence"),
        }
    return result


def integrity_report(*, application: JobApplication, now: datetime | None = None) -> dict:
    """The score, summary and incidents as stored, the ongoing part computed up to now, and
    what the score rests on (evidence_for).

    A read: it writes nothing and tells no board. Console, timeline, API and CSV all show this.
    """
    return integrity_reports(applications=[application], now=now)[application.pk]


def integrity_reports(
    *, applications: list[JobApplication], now: datetime | None = None
) -> dict[int, dict]:
    """integrity_report for many applications (the console's page) in a few queries."""
    now = now or timezone.now()
    rows: dict[int, list[IntegrityEvent]] = {a.pk: [] for a in applications}
    for row in IntegrityEvent.objects.filter(application_id__in=list(rows)):
        rows[row.application_id].append(row)
    rules: dict[int, integrity.Rules] = {}
    for org_id in {a.job.organization_id for a in applications}:
        rules[org_id] = integrity_rules_for(organization_id=org_id)
    frozen = {r.application_id: r for r in InterviewRules.objects.filter(application_id__in=rows)}
    evidence = evidence_for(applications=applications, now=now)
    verdicts = verdicts_in_force(application_ids=list(rows))
    return {
        a.pk: integrity_report_from(
            a,
            rows[a.pk],
            _with_interview(rules[a.job.organization_id], a, frozen.get(a.pk)),
            now,
            evidence[a.pk],
            verdicts,
        )
        for a in applications
    }
