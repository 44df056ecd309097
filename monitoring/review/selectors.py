"""Reads for the review console and timeline: one truth per number.

The console's row and the timeline's header of an application come from the same function
(`application_records`): capture and event counts, the camera state of *this* application
(not of the candidate's latest stream), and the integrity report.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from applications.models import CandidateResponse, Decision, JobApplication
from applications.selectors import (
    CONSENT_LABELS,
    CONSENT_STATES,
    applications_for_user,
    applications_with_consent_state,
    consent_history,
    consent_state_for,
)
from cameras.models import CameraEvent
from cameras.selectors import live_application_ids, streams_by_application
from monitoring.decisions.selectors import notes_for_application, verdict_history
from monitoring.identity.selectors import DISAGREEMENTS, identity_states
from monitoring.integrity.rules import incident_points
from monitoring.integrity.selectors import integrity_report, integrity_reports
from monitoring.labels import IDENTITY_STATE_LABELS, INCIDENT_LABELS
from monitoring.models import (
    AccessEvent,
    IdentityDecision,
    ImageType,
    IncidentVerdict,
    IntegrityEvent,
    MonitoringEvent,
    MonitoringImage,
)

# The console's order (`sort`): by default what needs a person first (TRIAGE_ORDER).
CONSOLE_SORTS = {
    "newest": ("-created_at", "-id"),
    "score": (F("score").asc(nulls_last=True), "-created_at"),
    "-score": (F("score").desc(nulls_last=True), "-created_at"),
}
# The triage queue: interviews that wait on a decision (ended without one, answered by the
# candidate since, reopened, waiting for a second reviewer), then the most incidents nobody
# has judged yet, then a face that disagrees with the selfie and no identity decision, then
# the lowest score, then the newest.
TRIAGE_ORDER = (
    "needs_person",
    "-unreviewed_count",
    "identity_rank",
    F("score").asc(nulls_last=True),
    "-created_at",
    "-id",
)
# The console's queue filter (`queue`).
QUEUES = {
    "needs_review": "Needs review",
    "answered": "Answered by the candidate",
    "decided": "Decided",
}
ENDED = (
    JobApplication.Status.COMPLETED,
    JobApplication.Status.TERMINATED,
)


def with_triage(qs: QuerySet[JobApplication]) -> QuerySet[JobApplication]:
    """What the triage queue sorts and filters by, as annotations (no row fetched twice)."""
    current = Decision.objects.current().filter(application=OuterRef("pk"))
    verdict_in_force = IncidentVerdict.objects.filter(incident=OuterRef("pk"), replaced_at=None)
    unreviewed = (
        IntegrityEvent.objects.filter(application=OuterRef("pk"))
        .exclude(Exists(verdict_in_force))
        .order_by()
        .values("application")
        .annotate(n=Count("*"))
        .values("n")
    )
    qs = qs.annotate(
        decided=Exists(current),
        decision_outcome=Subquery(current.values("outcome")[:1]),
        answered=Exists(CandidateResponse.objects.filter(application=OuterRef("pk"))),
        decided_after_answer=Exists(current.filter(after_response=True)),
        decision_open=Exists(
            current.filter(
                state__in=(Decision.State.PENDING_SECOND_REVIEW, Decision.State.REOPENED)
            )
        ),
        unreviewed_count=Coalesce(Subquery(unreviewed, output_field=IntegerField()), 0),
        identity_rank=Case(
            When(
                Exists(
                    IntegrityEvent.objects.filter(
                        application=OuterRef("pk"), type__in=DISAGREEMENTS
                    )
                )
                & ~Exists(IdentityDecision.objects.filter(application=OuterRef("pk"))),
                then=Value(0),
            ),
            default=Value(1),
        ),
    )
    return qs.annotate(
        needs_person=Case(
            When(Q(status__in=ENDED, decided=False), then=Value(0)),
            When(Q(answered=True, decided_after_answer=False), then=Value(0)),
            When(decision_open=True, then=Value(0)),
            default=Value(1),
        )
    )


def _count(model, **filters) -> Coalesce:
    """A per-application count as a subquery: no join fan-out across the three tables."""
    rows = (
        model.objects.filter(application=OuterRef("pk"), **filters)
        .order_by()
        .values("application")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def applications_with_counts(qs: QuerySet[JobApplication]) -> QuerySet[JobApplication]:
    return qs.annotate(
        camera_count=_count(MonitoringImage, image_type=ImageType.CAMERA),
        screen_count=_count(MonitoringImage, image_type=ImageType.SCREEN),
        page_event_count=_count(MonitoringEvent),
        camera_event_count=_count(CameraEvent),
        last_capture_at=Subquery(
            MonitoringImage.objects.filter(application=OuterRef("pk"))
            .order_by("-captured_at")
            .values("captured_at")[:1]
        ),
        score=F("integrity__score"),
    )


def applications_for_console(
    *,
    user: User,
    query: str = "",
    status: str = "",
    consent: str = "",
    live_only: bool = False,
    sort: str = "",
    queue: str = "",
    outcome: str = "",
    job_id: int | None = None,
) -> QuerySet[JobApplication]:
    """The review console's list: applications in scope with their counts and consent, in
    the triage order unless another `sort` is asked for."""
    qs = with_triage(
        applications_with_consent_state(applications_with_counts(applications_for_user(user=user)))
    )
    if query:
        qs = qs.filter(
            Q(candidate__username__icontains=query)
            | Q(candidate__first_name__icontains=query)
            | Q(candidate__last_name__icontains=query)
            | Q(candidate__email__icontains=query)
            | Q(job__title__icontains=query)
        )
    if status in JobApplication.Status.values:
        qs = qs.filter(status=status)
    if consent in CONSENT_STATES:
        qs = qs.filter(consent_state=consent)
    if live_only:
        qs = qs.filter(pk__in=live_application_ids())
    if queue == "needs_review":
        qs = qs.filter(Q(needs_person=0) | Q(unreviewed_count__gt=0, status__in=ENDED))
    elif queue == "answered":
        qs = qs.filter(answered=True)
    elif queue == "decided":
        qs = qs.filter(decided=True)
    if outcome in Decision.Outcome.values:
        qs = qs.filter(decision_outcome=outcome)
    if job_id is not None:
        qs = qs.filter(job_id=job_id)
    return qs.order_by(*CONSOLE_SORTS.get(sort, TRIAGE_ORDER))


# What each count of an interview counts — said on hover wherever a count is shown (header,
# summary, console, report); the CSV has one row per counted thing.
COUNT_HINTS = {
    "captures": "Camera snapshots and screen captures stored (deleted ones are not counted; "
    "their slots stay on the timeline).",
    "events": "Page events (tab hidden or shown, focus lost or regained, screen sharing started "
    "or stopped, full screen left) and camera events (on, off, silent). The candidate's "
    "answers to the notice are counted apart.",
    "consent": "The candidate's answers to the monitoring notice: given, withdrawn, declined.",
    "incidents": "Sustained episodes that cost points; single flagged frames do not count.",
}


@dataclass(frozen=True)
class Record:
    """What the console shows of one interview, and the timeline shows at its top."""

    camera_count: int
    screen_count: int
    event_count: int
    live: bool
    last_seen: datetime | None
    last_capture_at: datetime | None
    score: int | None  # None until recording has begun (the same rule on every page)
    incident_count: int
    state: str  # ok | insufficient_evidence (monitoring.integrity.selectors.evidence_for)
    frames_analysed: int
    frames_with_one_face: int
    consent_state: str  # not_yet | given | declined | withdrawn
    started: bool  # recording has begun: "not started yet" until then
    decision: Decision | None = None  # the decision in force
    response: CandidateResponse | None = None  # the candidate's answer to it
    reviewed_score: int | None = None  # dismissed incidents left out
    identity_state: str = "not_required"  # monitoring.identity.selectors.State

    @property
    def consent_label(self) -> str:
        return CONSENT_LABELS[self.consent_state]

    @property
    def awaits_decision_after_answer(self) -> bool:
        """The candidate answered and no reviewer has decided after it yet (the badge)."""
        return self.response is not None and not (
            self.decision is not None and self.decision.after_response
        )

    @property
    def identity_label(self) -> str:
        return IDENTITY_STATE_LABELS[self.identity_state]


def application_records(*, applications: list[JobApplication]) -> dict[int, Record]:
    """Counts, camera state and score of each application (see `applications_with_counts`)."""
    now = timezone.now()
    streams = streams_by_application(application_ids=[a.pk for a in applications])
    last_events = dict(
        CameraEvent.objects.filter(application_id__in=[a.pk for a in applications])
        .values("application_id")
        .annotate(last=Max("occurred_at"))
        .values_list("application_id", "last")
    )
    reports = integrity_reports(applications=applications, now=now)
    decisions = {
        d.application_id: d
        for d in Decision.objects.current()
        .filter(application_id__in=[a.pk for a in applications])
        .select_related("decided_by", "confirmed_by")
    }
    responses = {
        r.application_id: r
        for r in CandidateResponse.objects.filter(application_id__in=[a.pk for a in applications])
    }
    identities = identity_states(applications=applications)
    records = {}
    for application in applications:
        stream = streams.get(application.pk)
        seen = [t for t in (last_events.get(application.pk), stream and stream.last_updated) if t]
        report = reports[application.pk]
        started = report["started"] or bool(report["incidents"])
        consent = getattr(application, "consent_state", None) or consent_state_for(
            application_id=application.pk
        )
        records[application.pk] = Record(
            camera_count=application.camera_count,
            screen_count=application.screen_count,
            event_count=application.page_event_count + application.camera_event_count,
            live=stream is not None and stream.is_live(now=now),
            last_seen=max(seen) if seen else None,
            last_capture_at=getattr(application, "last_capture_at", None),
            score=report["score"] if started else None,
            incident_count=len(report["incidents"]),
            state=report["state"],
            frames_analysed=report["frames_analysed"],
            frames_with_one_face=report["frames_with_one_face"],
            consent_state=consent,
            started=started,
            decision=decisions.get(application.pk),
            response=responses.get(application.pk),
            reviewed_score=report["reviewed_score"] if started else None,
            identity_state=identities[application.pk],
        )
    return records


@dataclass(frozen=True)
class Contribution:
    """Someone other than the candidate changed the record: who, what, how many."""

    who: str
    what: str
    count: int


def report_contributions(*, application: JobApplication) -> list[Contribution]:
    """Who added what to the record, and who removed what: captures uploaded by another
    account, captures deleted by a reviewer (from the audit log)."""
    out = []
    added = (
        MonitoringImage.objects.filter(application_id=application.pk)
        .exclude(uploaded_by_id=application.candidate_id)
        .values("uploaded_by__first_name", "uploaded_by__last_name", "uploaded_by__username")
        .annotate(n=Count("*"))
        .order_by("-n")
    )
    for row in added:
        who = " ".join(
            p for p in (row["uploaded_by__first_name"], row["uploaded_by__last_name"]) if p
        )
        out.append(
            Contribution(
                who or row["uploaded_by__username"] or "a deleted account", "added", row["n"]
            )
        )
    deleted = (
        AccessEvent.objects.filter(application_id=application.pk, action=AccessEvent.Action.DELETED)
        .values("actor__first_name", "actor__last_name", "actor__username")
        .annotate(n=Count("*"))
        .order_by("-n")
    )
    for row in deleted:
        who = " ".join(p for p in (row["actor__first_name"], row["actor__last_name"]) if p)
        out.append(
            Contribution(who or row["actor__username"] or "a deleted account", "deleted", row["n"])
        )
    return out


def report_frames(*, incidents: list, limit: int = 12) -> list[MonitoringImage]:
    """The flagged frames the report shows: the first frames of each incident, in time order."""
    per_incident = max(1, limit // max(1, len(incidents)))
    ids: list[int] = []
    for incident in incidents:
        for image_id in incident.image_ids[:per_incident]:
            if image_id not in ids:
                ids.append(image_id)
    return list(MonitoringImage.objects.filter(pk__in=ids[:limit]).order_by("captured_at"))


def report_for_print(*, application: JobApplication, now: datetime) -> dict:
    """What the printable report shows: the integrity report, each incident with its label,
    weight and points, the organization's non-zero weights, the flagged frames to show and
    who changed the record."""
    report = integrity_report(application=application, now=now)
    weights = report["rules"].weights
    incidents = [
        {
            "incident": incident,
            "label": INCIDENT_LABELS.get(incident.type, incident.type),
            "points": incident_points(incident, weights),
            "weight": weights.get(incident.type, 0),
        }
        for incident in report["incidents"]
    ]
    rules = sorted(
        ({"label": INCIDENT_LABELS.get(t, t), "weight": w} for t, w in weights.items() if w),
        key=lambda r: -r["weight"],
    )
    return {
        "report": report,
        "incidents": incidents,
        "notes": list(notes_for_application(application_id=application.pk)),
        "gone_verdicts": list(
            verdict_history(application_id=application.pk).filter(
                incident__isnull=True, replaced_at=None
            )
        ),
        "decisions": list(
            Decision.objects.filter(application_id=application.pk)
            .select_related("decided_by", "confirmed_by")
            .order_by("decided_at", "id")
        ),
        "consent": consent_history(application_id=application.pk),
        "rules": rules,
        "frames": report_frames(incidents=report["incidents"]),
        "contributions": report_contributions(application=application),
    }


def counted_against(*, application: JobApplication, limit_frames: int = 12) -> dict:
    """What a candidate is shown of a decision against them: the incidents that count (not
    dismissed by a reviewer) with their times and kinds, and their own flagged frames —
    nothing else of the record."""
    report = integrity_report(application=application)
    incidents = [
        {"incident": i, "label": INCIDENT_LABELS.get(i.type, i.type)}
        for i in report["incidents"]
        if not (i.verdict and i.verdict.verdict == "dismissed")
    ]
    ids: list[int] = []
    for row in incidents:
        ids += [pk for pk in row["incident"].image_ids[:3] if pk not in ids]
    frames = list(
        MonitoringImage.objects.filter(
            pk__in=ids[:limit_frames],
            application_id=application.pk,
            uploaded_by_id=application.candidate_id,
        ).order_by("captured_at", "id")
    )
    return {"incidents": incidents, "frames": frames}
