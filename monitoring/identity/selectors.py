"""Reads for identity: an interview's references, the state of its identity check, and the
comparison with the candidate's earlier interviews. Nothing written.

The caller has already fetched the application through a role-scoped selector
(`application_get_for_user`): whoever may see the interview may see its identity check.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from accounts.models import Organization, User
from applications.models import JobApplication
from monitoring.faces.templates import distance
from monitoring.integrity import rules as integrity
from monitoring.integrity.selectors import earlier_selfies, frames_for_candidate
from monitoring.models import FrameAnalysis, IdentityDecision, IdentityReference, IntegrityEvent

Kind = IdentityReference.Kind
DISAGREEMENTS = (integrity.IDENTITY_MISMATCH, integrity.IDENTITY_CHANGED)


class State:
    NOT_REQUIRED = "not_required"
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Match:
    distance: float
    matches: bool


@dataclass
class IdentityStatus:
    state: str
    check: str
    threshold: float
    references: list[IdentityReference]
    selfie: IdentityReference | None
    document: IdentityReference | None
    document_match: Match | None
    frames_checked: int
    frames_matching: int
    last_distance: float | None
    decision: IdentityDecision | None
    earlier_interviews: list[dict]

    @property
    def confirmed_by(self) -> User | None:
        return self.decision.decided_by if self.decision else None

    @property
    def confirmed_at(self) -> datetime | None:
        return self.decision.decided_at if self.decision else None


def identity_settings(application: JobApplication) -> tuple[str, float]:
    """(identity_check, identity_threshold) of the interview's organization."""
    organization = application.job.organization
    return organization.identity_check, organization.identity_threshold


def identity_required(application: JobApplication) -> bool:
    return identity_settings(application)[0] != Organization.IdentityCheck.OFF


def current_reference(*, application_id: int, kind: str) -> IdentityReference | None:
    return IdentityReference.objects.filter(
        application_id=application_id, kind=kind, replaced_at=None
    ).first()


def reference_match(
    a: IdentityReference | None, b: IdentityReference | None, *, threshold: float
) -> Match | None:
    """The two references' faces compared (None when either is missing). A document whose
    photo was deleted (retention) keeps the distance it had to the selfie then."""
    if a is None or b is None:
        return None
    kept = next((r.match_distance for r in (a, b) if r.photo_deleted_at is not None), False)
    if kept is not False:
        return None if kept is None else Match(round(kept, 4), kept <= threshold)
    value = distance(a.descriptor, b.descriptor)
    return Match(round(value, 4), value <= threshold)


def earlier_interviews(application: JobApplication, *, threshold: float) -> list[dict]:
    """Each earlier interview of the candidate in the organization that has a selfie: which,
    when, and how far its selfie's face is from this interview's."""
    _, earlier = earlier_selfies(application)
    return [
        {
            "application_id": other.application_id,
            "job": other.job,
            "date": other.at,
            "distance": round(other.distance, 4),
            "matches": other.distance <= threshold,
        }
        for other in earlier
    ]


def _frame_counts(application: JobApplication, selfie: IdentityReference | None) -> tuple:
    if selfie is None:
        return 0, 0, None
    compared = FrameAnalysis.objects.filter(
        image__in=frames_for_candidate(application),
        identity_reference=selfie,
        identity_distance__isnull=False,
    )
    counts = compared.aggregate(
        checked=Count("pk"), matching=Count("pk", filter=Q(identity_mismatch=False))
    )
    last = (
        compared.order_by("-image__captured_at", "-image_id")
        .values_list("identity_distance", flat=True)
        .first()
    )
    return counts["checked"], counts["matching"], last


def identity_status(*, application: JobApplication) -> IdentityStatus:
    """Where the interview's identity check stands.

    `not_required`: the organization does not check identity. A reviewer's decision about the
    current selfie wins (`confirmed` / `rejected`). Otherwise `mismatch` when the document's
    face, the camera frames (an `identity_mismatch` incident) or an earlier interview's
    selfie (`identity_changed_since`) disagree with the selfie; `unverified` while a required
    reference is missing; `verified` when everything required is there and agrees.
    """
    check, threshold = identity_settings(application)
    references = list(
        IdentityReference.objects.filter(application_id=application.pk).select_related(
            "uploaded_by"
        )
    )
    current = {r.kind: r for r in references if r.replaced_at is None}
    selfie, document = current.get(Kind.SELFIE), current.get(Kind.DOCUMENT)
    document_match = reference_match(document, selfie, threshold=threshold)
    checked, matching, last = _frame_counts(application, selfie)
    decision = (
        IdentityDecision.objects.filter(application_id=application.pk)
        .select_related("decided_by")
        .first()
    )
    if decision is not None and decision.selfie_id != (selfie.pk if selfie else None):
        decision = None  # about another selfie: a newer one needs a new decision
    earlier = earlier_interviews(application, threshold=threshold) if selfie else []
    state = _state(
        application,
        check=check,
        selfie=selfie,
        document=document,
        document_match=document_match,
        decision=decision,
    )
    return IdentityStatus(
        state=state,
        check=check,
        threshold=threshold,
        references=references,
        selfie=selfie,
        document=document,
        document_match=document_match,
        frames_checked=checked,
        frames_matching=matching,
        last_distance=None if last is None else round(last, 4),
        decision=decision,
        earlier_interviews=earlier,
    )


def _state(
    application, *, check, selfie, document, document_match, decision, disagreement=None
) -> str:
    if check == Organization.IdentityCheck.OFF:
        return State.NOT_REQUIRED
    if decision is not None:
        return decision.decision
    if selfie is None:
        return State.UNVERIFIED
    if disagreement is None:
        disagreement = IntegrityEvent.objects.filter(
            application_id=application.pk, type__in=DISAGREEMENTS
        ).exists()
    if disagreement or (document_match is not None and not document_match.matches):
        return State.MISMATCH
    if check == Organization.IdentityCheck.SELFIE_AND_DOCUMENT and document is None:
        return State.UNVERIFIED
    return State.VERIFIED


def identity_states(*, applications: list[JobApplication]) -> dict[int, str]:
    """identity_status(...).state of many applications (the console's page, the board card)
    in four queries, however many."""
    ids = [a.pk for a in applications]
    organizations = {
        pk: (check, threshold)
        for pk, check, threshold in Organization.objects.filter(
            pk__in={a.job.organization_id for a in applications}
        ).values_list("pk", "identity_check", "identity_threshold")
    }
    current: dict[int, dict[str, IdentityReference]] = {pk: {} for pk in ids}
    for reference in IdentityReference.objects.filter(application_id__in=ids, replaced_at=None):
        current[reference.application_id][reference.kind] = reference
    decisions: dict[int, IdentityDecision] = {}
    for decision in IdentityDecision.objects.filter(application_id__in=ids):  # newest first
        decisions.setdefault(decision.application_id, decision)
    disagreeing = set(
        IntegrityEvent.objects.filter(application_id__in=ids, type__in=DISAGREEMENTS)
        .values_list("application_id", flat=True)
        .distinct()
    )
    states = {}
    for application in applications:
        check, threshold = organizations.get(
            application.job.organization_id, (Organization.IdentityCheck.SELFIE, 0.6)
        )
        references = current[application.pk]
        selfie, document = references.get(Kind.SELFIE), references.get(Kind.DOCUMENT)
        decision = decisions.get(application.pk)
        if decision is not None and decision.selfie_id != (selfie.pk if selfie else None):
            decision = None
        states[application.pk] = _state(
            application,
            check=check,
            selfie=selfie,
            document=document,
            document_match=reference_match(document, selfie, threshold=threshold),
            decision=decision,
            disagreement=application.pk in disagreeing,
        )
    return states
