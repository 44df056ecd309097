"""The interview timeline as CSV, in time order: one row per capture (`record` capture), per
page or camera event (event: the same things the pages count as events), per answer to the
notice (consent), per incident (with its verdict, if a reviewer gave one), per reviewer's
note (note), per decision (decision, the replaced ones too; one recorded after the candidate's
answer says whether it kept or changed the outcome), the candidate's answer (response) and the
checks turned off for the interview (accommodation, dated when they were turned off).

A read: incidents come from the stored report (ongoing ones counted up to now), nothing is
written. Captures the candidate did not send say who added them. Times are UTC.
"""

import io

from applications.models import CandidateResponse, Decision, JobApplication
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
        if decision.after_response:
            kept = decision.previous_outcome == decision.outcome
            confirmed += "; after the candidate's answer: " + (
                "kept" if kept else f"changed from {decision.previous_outcome}"
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
    response = CandidateResponse.objects.filter(application_id=application.pk).first()
    if response is not None:
        answer = ["response", _iso(response.created_at), "", "candidate_answer", "", "", ""]
        answer += [response.text, "", "", _name(application.candidate)]
        rows.append((response.created_at, answer))
    if application.checks_off:
        at = application.checks_off_at or application.created_at
        off = ["accommodation", _iso(at), "", "checks_off", "", ""]
        off += [" ".join(application.checks_off), application.checks_off_reason, "", ""]
        off += [_name(application.checks_off_by)]
        rows.append((at, off))
    rows = [(at, row + [""] * (len(COLUMNS) - len(row))) for at, row in rows]
    rows.sort(key=lambda row: row[0])
    out = io.StringIO()
    writer = csvsafe.writer(out)  # no cell a spreadsheet would run as a formula
    writer.writerow(COLUMNS)
    writer.writerows(row for _, row in rows)
    return out.getvalue()
