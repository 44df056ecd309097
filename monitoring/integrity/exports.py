"""The interview timeline as CSV, in time order: one row per capture (`record` capture), per
page or camera event (event: the same things the pages count as events), per answer to the
notice (consent), per incident (with its verdict, if a reviewer gave one), per reviewer's
note (note) and per decision (decision, the replaced ones too).

A read: incidents come from the stored report (ongoing ones counted up to now), nothing is
written. Captures the candidate did not send say who added them. Times are UTC.
"""

import io

from applications.models import Decision, JobApplication
from applications.selectors import consent_history
from cameras.models import CameraEvent
from common import csvsafe
from common.time import iso_utc
from monitoring.decisions.selectors import notes_for_application
from monitoring.models import MonitoringEvent, MonitoringImage

from .selectors import integrity_report

COLUMNS = [
    "record",
    "time",
    "end",
    "type",
    "s3_key",
    "face_count",
    "flags",
    "reason",
    "received_at",
    "late",
    "added_by",
    "verdict",
    "verdict_by",
    "verdict_note",
]


def _iso(value) -> str:
    return iso_utc(value) or ""


def _name(user) -> str:
    return user.display_name if user is not None else "a deleted account"


def added_by(image: MonitoringImage, application: JobApplication) -> str:
    """Empty for the candidate's own captures; the sender's name for anyone else's."""
    if image.uploaded_by_id == application.candidate_id:
        return ""
    return image.uploaded_by.display_name if image.uploaded_by else "a deleted account"


def timeline_csv(*, application: JobApplication) -> str:
    report = integrity_report(application=application)
    rows = []
    images = (
        MonitoringImage.objects.filter(application_id=application.pk)
        .select_related("analysis", "uploaded_by")
        .order_by("captured_at", "id")
    )
    for image in images.iterator(chunk_size=500):  # a long interview: not all rows at once
        analysis = getattr(image, "analysis", None)
        face_count = analysis.face_count if analysis is not None else None
        rows.append(
            (
                image.captured_at,
                [
                    "capture",
                    _iso(image.captured_at),
                    "",
                    image.image_type,
                    image.file.name,
                    "" if face_count is None else face_count,
                    "" if analysis is None else " ".join(analysis.flags),
                    "",
                    _iso(image.received_at),
                    "yes" if image.late else "",
                    added_by(image, application),
                ],
            )
        )
    for event in MonitoringEvent.objects.filter(application_id=application.pk).iterator(
        chunk_size=500
    ):
        rows.append(
            (
                event.occurred_at,
                [
                    "event",
                    _iso(event.occurred_at),
                    "",
                    event.type,
                    "",
                    "",
                    "",
                    event.detail,
                    _iso(event.received_at),
                    "yes" if event.late else "",
                    "",
                ],
            )
        )
    for event in CameraEvent.objects.filter(application_id=application.pk).iterator(chunk_size=500):
        rows.append(
            (
                event.occurred_at,
                ["event", _iso(event.occurred_at), "", f"camera_{event.kind}"] + [""] * 7,
            )
        )
    for answer in consent_history(application_id=application.pk):
        rows.append(
            (
                answer["at"],
                [
                    "consent",
                    _iso(answer["at"]),
                    "",
                    answer["decision"],
                    "",
                    "",
                    "",
                    f"notice {answer['notice_version']}",
                    "",
                    "",
                    "",
                ],
            )
        )
    for incident in report["incidents"]:
        verdict = incident.verdict
        rows.append(
            (
                incident.started_at,
                [
                    "incident",
                    _iso(incident.started_at),
                    _iso(incident.ended_at),
                    incident.type,
                    "",
                    "",
                    "",
                    incident.reason,
                    "",
                    "",
                    "",
                    verdict.verdict if verdict else "",
                    _name(verdict.decided_by) if verdict else "",
                    verdict.note if verdict else "",
                ],
            )
        )
    for note in notes_for_application(application_id=application.pk):
        image = f"image {note.image_id}" if note.image_id else ""
        rows.append(
            (
                note.at,
                [
                    "note",
                    _iso(note.at),
                    "",
                    image,
                    "",
                    "",
                    "",
                    note.text,
                    "",
                    "",
                    _name(note.author),
                ],
            )
        )
    decisions = Decision.objects.filter(application_id=application.pk).select_related(
        "decided_by", "confirmed_by"
    )
    for decision in decisions:
        state = "replaced" if decision.replaced_at else decision.state
        confirmed = (
            f"; confirmed by {_name(decision.confirmed_by)}" if decision.confirmed_by else ""
        )
        rows.append(
            (
                decision.decided_at,
                [
                    "decision",
                    _iso(decision.decided_at),
                    "",
                    decision.outcome,
                    "",
                    "",
                    state,
                    decision.reason + confirmed,
                    "",
                    "",
                    _name(decision.decided_by),
                ],
            )
        )
    rows = [(at, row + [""] * (len(COLUMNS) - len(row))) for at, row in rows]
    rows.sort(key=lambda row: row[0])
    out = io.StringIO()
    writer = csvsafe.writer(out)  # no cell a spreadsheet would run as a formula
    writer.writerow(COLUMNS)
    writer.writerows(row for _, row in rows)
    return out.getvalue()
