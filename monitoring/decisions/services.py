"""Reviewers' work on the record: a verdict on each incident, notes pinned to its moments.

A verdict says whether an automatic flag was right (`confirmed`) or a false alarm
(`dismissed`: it no longer counts toward the reviewed score). A decision (applications)
rests on the verdicts: changing one reopens it. Notes are editable by their author for
NOTE_EDIT_MINUTES, then append-only (a correction is a new note). Everything is audited.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from applications.services import decision_reopen
from common.errors import Conflict, NotAllowed, NotFound
from common.http import RequestInfo
from common.time import iso_utc
from monitoring.audit.services import access_log
from monitoring.live import timeline_changed
from monitoring.models import (
    AccessEvent,
    IncidentVerdict,
    IntegrityEvent,
    MonitoringImage,
    ReviewNote,
)

NOTE_EDIT_MINUTES = 15


def reviewer_check(*, actor: User) -> None:
    """Verdicts and notes are reviewers' (the selector hid other organizations' interviews
    behind a 404 already): a candidate is refused."""
    if not actor.is_staff_role:
        raise NotAllowed("Only reviewers judge incidents and pin notes.", code="permission_denied")


def _shape(incident: IntegrityEvent) -> dict:
    return {
        "incident_type": incident.type,
        "incident_started_at": incident.started_at,
        "incident_ended_at": incident.ended_at,
        "incident_frame_count": incident.frame_count,
        "incident_reason": incident.reason[:300],
    }


def incident_verdict_set(
    *,
    actor: User,
    application: JobApplication,
    incident_id: int,
    verdict: str,
    note: str,
    info: RequestInfo,
) -> IncidentVerdict:
    """Record a verdict on one incident of the interview (the older one stays in the history).
    A verdict that differs from the one in force reopens the decision resting on it."""
    reviewer_check(actor=actor)
    with transaction.atomic():
        JobApplication.objects.lock(application.pk)
        incident = IntegrityEvent.objects.filter(
            pk=incident_id, application_id=application.pk
        ).first()
        if incident is None:
            raise NotFound("No such incident in this interview.", code="incident_not_found")
        now = timezone.now()
        previous = IncidentVerdict.objects.filter(
            application_id=application.pk, incident_ref=incident.pk, replaced_at=None
        ).first()
        if previous is not None:
            previous.replaced_at = now
            previous.save(update_fields=["replaced_at"])
        row = IncidentVerdict.objects.create(
            application=application,
            incident=incident,
            incident_ref=incident.pk,
            verdict=verdict,
            note=note,
            decided_by=actor,
            decided_at=now,
            **_shape(incident),
        )
        changed = previous is None or previous.verdict != verdict
        access_log(
            actor=actor,
            action=AccessEvent.Action.VERDICT_RECORDED,
            info=info,
            application_id=application.pk,
            detail=f"incident #{incident.pk} ({incident.type}) {verdict}"
            + (f" (was {previous.verdict})" if previous and changed else "")
            + (f": {note}" if note else ""),
        )
        if changed:
            decision_reopen(
                actor=actor,
                application=application,
                because=f"incident #{incident.pk} ({incident.type}) now {verdict}",
                info=info,
            )
    timeline_changed(application.pk, "integrity")
    return row


def verdicts_keep_shape(*, incidents: list[IntegrityEvent], now: datetime) -> None:
    """Incidents about to be deleted (their evidence is gone): their verdicts stay in the
    history with each incident's last shape. One query when none was judged."""
    judged = set(
        IncidentVerdict.objects.filter(incident__in=incidents).values_list("incident_id", flat=True)
    )
    for incident in incidents:
        if incident.pk in judged:
            IncidentVerdict.objects.filter(incident_id=incident.pk).update(
                incident_gone_at=now, **_shape(incident)
            )


def _image_for(application: JobApplication, image_id: int | None) -> MonitoringImage | None:
    if image_id is None:
        return None
    image = MonitoringImage.objects.filter(pk=image_id, application_id=application.pk).first()
    if image is None:
        raise NotFound("No such capture in this interview.", code="image_not_found")
    return image


def review_note_add(
    *,
    actor: User,
    application: JobApplication,
    text: str,
    at: datetime | None = None,
    image_id: int | None = None,
    info: RequestInfo,
) -> ReviewNote:
    """Pin a note to a moment of the record (a capture's time when only the capture is
    named)."""
    reviewer_check(actor=actor)
    image = _image_for(application, image_id)
    with transaction.atomic():
        note = ReviewNote.objects.create(
            application=application,
            at=at or image.captured_at,
            text=text,
            image=image,
            author=actor,
        )
        access_log(
            actor=actor,
            action=AccessEvent.Action.NOTE_ADDED,
            info=info,
            application_id=application.pk,
            image=image,
            detail=f"note #{note.pk} at {iso_utc(note.at)}: {text}",
        )
    timeline_changed(application.pk, "notes")
    return note


def note_editable(note: ReviewNote, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) - note.created_at < timedelta(minutes=NOTE_EDIT_MINUTES)


def review_note_edit(
    *, actor: User, application: JobApplication, note_id: int, text: str, info: RequestInfo
) -> ReviewNote:
    """Its author corrects a note within NOTE_EDIT_MINUTES; later it is part of the record
    (409 `note_locked`: add a new note instead)."""
    reviewer_check(actor=actor)
    with transaction.atomic():
        note = (
            ReviewNote.objects.select_for_update()
            .filter(pk=note_id, application_id=application.pk)
            .first()
        )
        if note is None:
            raise NotFound("No such note in this interview.", code="note_not_found")
        if note.author_id != actor.pk:
            raise NotAllowed("Only its author may edit a note.", code="not_author")
        if not note_editable(note):
            raise Conflict(
                f"A note can be edited for {NOTE_EDIT_MINUTES} minutes; add a new note to "
                "correct it.",
                code="note_locked",
            )
        old = note.text
        note.text = text
        note.edited_at = timezone.now()
        note.save(update_fields=["text", "edited_at"])
        access_log(
            actor=actor,
            action=AccessEvent.Action.NOTE_EDITED,
            info=info,
            application_id=application.pk,
            detail=f"note #{note.pk}: {old} → {text}",
        )
    timeline_changed(application.pk, "notes")
    return note
