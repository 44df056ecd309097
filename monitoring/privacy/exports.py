"""The candidate's own copy of an interview: a zip of every capture as a JPEG file, the
timeline and events as CSV, the integrity summary and the consent history as JSON.

`export_plan` reads the database (small: names, keys, the CSV and JSON texts); `zip_chunks`
then streams the archive, reading one image at a time from storage, so memory stays flat
whatever the number of captures. Images are stored as they are (JPEG does not compress
further); the texts are deflated. An image the store cannot give back is listed in
MISSING.txt instead of failing the download half-way.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone

from applications.models import CandidateResponse, Decision, JobApplication
from applications.selectors import consent_history
from cameras.models import CameraEvent
from cameras.proctoring import proctor_log
from common import csvsafe
from common.time import iso_utc
from monitoring.decisions.selectors import notes_for_application, verdict_history
from monitoring.images.storage import STORAGE_ERRORS, read_object
from monitoring.integrity.exports import timeline_csv
from monitoring.models import IdentityDecision, IdentityReference, MonitoringEvent, MonitoringImage


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes | None = None  # the content, or…
    key: str | None = None  # …a storage key, read when the archive reaches it
    at: object = None  # the file's time in the archive


def export_plan(*, application: JobApplication, integrity: dict) -> list[ExportFile]:
    """What goes into the archive, in order."""
    now = timezone.now()
    images = list(
        MonitoringImage.objects.filter(application_id=application.pk)
        .order_by("captured_at", "id")
        .values_list("pk", "image_type", "captured_at", "file")
    )
    files = [
        ExportFile("README.txt", _readme(application, len(images), now).encode(), at=now),
        ExportFile("timeline.csv", timeline_csv(application=application).encode(), at=now),
        ExportFile("events.csv", _events_csv(application).encode(), at=now),
        ExportFile("integrity.json", _json(integrity), at=now),
        ExportFile("consent.json", _json(consent_history(application_id=application.pk)), at=now),
        ExportFile("messages.json", _json(proctor_log(application=application)), at=now),
        ExportFile("decisions.json", _json(_decisions(application)), at=now),
    ]
    for pk, image_type, captured_at, key in images:
        stamp = captured_at.strftime("%Y-%m-%dT%H-%M-%S")
        files.append(
            ExportFile(f"captures/{image_type}/{stamp}Z-{pk}.jpg", key=key, at=captured_at)
        )
    return files + _identity_files(application, now)


def _person(user) -> str | None:
    return user.display_name if user is not None else None


def _decisions(application: JobApplication) -> dict:
    """The reviewers' work on the record: every verdict (older ones, and those on incidents
    whose evidence is gone, with the incident's last shape), every note, every decision."""
    return {  # the candidate's answer and the checks turned off for them are theirs too
        "verdicts": [
            {
                "incident_id": v.incident_ref,
                "incident_type": v.incident_type,
                "incident_started_at": v.incident_started_at,
                "incident_ended_at": v.incident_ended_at,
                "incident_gone_at": v.incident_gone_at,
                "verdict": v.verdict,
                "note": v.note,
                "by": _person(v.decided_by),
                "at": v.decided_at,
                "replaced_at": v.replaced_at,
            }
            for v in verdict_history(application_id=application.pk)
        ],
        "notes": [
            {
                "at": n.at,
                "text": n.text,
                "image_id": n.image_id,
                "by": _person(n.author),
                "created_at": n.created_at,
                "edited_at": n.edited_at,
            }
            for n in notes_for_application(application_id=application.pk)
        ],
        "decisions": [
            {
                "outcome": d.outcome,
                "reason": d.reason,
                "state": d.state,
                "by": _person(d.decided_by),
                "at": d.decided_at,
                "confirmed_by": _person(d.confirmed_by),
                "confirmed_at": d.confirmed_at,
                "reopened_at": d.reopened_at,
                "reopened_because": d.reopened_because,
                "replaced_at": d.replaced_at,
                "after_response": d.after_response,
                "previous_outcome": d.previous_outcome,
            }
            for d in Decision.objects.filter(application_id=application.pk)
            .select_related("decided_by", "confirmed_by")
            .order_by("decided_at", "id")
        ],
        "candidate_response": (
            {"text": response.text, "at": response.created_at}
            if (response := CandidateResponse.objects.filter(application_id=application.pk).first())
            else None
        ),
        "checks_off": {
            "checks": list(application.checks_off),
            "reason": application.checks_off_reason,
            "by": _person(application.checks_off_by),
            "at": application.checks_off_at,
        }
        if application.checks_off
        else None,
    }


def _identity_files(application: JobApplication, now) -> list[ExportFile]:
    """The identity photos shown (each selfie and document, the replaced ones too; a document
    photo deleted after its window is listed, not there) and identity.json: when, how good,
    the reviewers' decisions, and each camera frame's distance to the selfie. Face templates
    are numbers of no use to anyone outside this system: not exported."""
    references = list(IdentityReference.objects.filter(application_id=application.pk))
    if not references:
        return []
    decisions = IdentityDecision.objects.filter(application_id=application.pk).order_by(
        "decided_at", "id"
    )
    summary = {
        "references": [
            {
                "kind": r.kind,
                "file": None
                if r.photo_deleted_at
                else f"identity/{r.kind}/{r.created_at:%Y-%m-%dT%H-%M-%S}Z-{r.pk}.jpg",
                "taken_at": iso_utc(r.created_at),
                "replaced_at": iso_utc(r.replaced_at) if r.replaced_at else None,
                "photo_deleted_at": iso_utc(r.photo_deleted_at) if r.photo_deleted_at else None,
                "quality": r.quality,
            }
            for r in references
        ],
        "frames": _frame_distances(application),
        "decisions": [
            {"decision": d.decision, "note": d.note, "at": iso_utc(d.decided_at)} for d in decisions
        ],
    }
    files = [ExportFile("identity.json", _json(summary), at=now)]
    for reference, entry in zip(references, summary["references"], strict=True):
        if entry["file"] is not None:
            files.append(
                ExportFile(entry["file"], key=reference.file.name, at=reference.created_at)
            )
    return files


def _frame_distances(application: JobApplication) -> list[dict]:
    """Each of the candidate's camera frames compared with a selfie: its capture (the file in
    captures/camera/), the smallest face distance and whether it matched."""
    rows = (
        MonitoringImage.objects.filter(
            application_id=application.pk, analysis__identity_reference__isnull=False
        )
        .order_by("captured_at", "id")
        .values_list(
            "pk",
            "captured_at",
            "analysis__identity_distance",
            "analysis__identity_mismatch",
            "analysis__identity_reference_id",
        )
    )
    return [
        {
            "capture": f"captures/camera/{at:%Y-%m-%dT%H-%M-%S}Z-{pk}.jpg",
            "captured_at": iso_utc(at),
            "distance": value,
            "matches": None if mismatch is None else not mismatch,
            "selfie_id": selfie_id,
        }
        for pk, at, value, mismatch, selfie_id in rows
    ]


def zip_chunks(files: list[ExportFile], *, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The zip archive, as it is written."""
    sink = _Sink()
    missing: list[str] = []
    with zipfile.ZipFile(sink, "w") as archive:
        for item in files:
            data = item.data
            if data is None:
                try:
                    data = read_object(item.key)
                except (*STORAGE_ERRORS, FileNotFoundError):
                    missing.append(item.key)
                    continue
            info = zipfile.ZipInfo(item.name, date_time=_zip_time(item.at))
            info.compress_type = zipfile.ZIP_STORED if item.key else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
            if sink.size >= chunk_size:
                yield sink.take()
        if missing:
            note = "These captures could not be read from storage when this copy was made:\n"
            archive.writestr("MISSING.txt", note + "\n".join(missing) + "\n")
    yield sink.take()


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file: ZipFile writes local headers with data descriptors
    and the archive streams out as it grows."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.offset = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.size += len(chunk)
        self.offset += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.offset

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return out


def _zip_time(at) -> tuple:
    at = (at or timezone.now()).astimezone(UTC)
    return (max(at.year, 1980), at.month, at.day, at.hour, at.minute, at.second)


def _json(value) -> bytes:
    return (json.dumps(value, indent=2, default=_default, ensure_ascii=False) + "\n").encode()


def _default(value):
    if hasattr(value, "isoformat"):
        return iso_utc(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _events_csv(application: JobApplication) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)  # no cell a spreadsheet would run as a formula
    writer.writerow(["time", "source", "type", "label", "received_at", "late", "detail"])
    rows = [
        (
            event.occurred_at,
            [
                "page",
                event.type,
                event.get_type_display(),
                iso_utc(event.received_at),
                "yes" if event.late else "",
                event.detail,
            ],
        )
        for event in MonitoringEvent.objects.filter(application_id=application.pk)
    ]
    rows += [
        (event.occurred_at, ["camera", event.kind, event.get_kind_display(), "", "", ""])
        for event in CameraEvent.objects.filter(application_id=application.pk)
    ]
    for at, row in sorted(rows, key=lambda r: r[0]):
        writer.writerow([iso_utc(at), *row])
    return out.getvalue()


def _readme(application: JobApplication, image_count: int, now) -> str:
    organization = application.job.organization
    return "\n".join(
        [
            f"Your interview record — {application.job.title}, {organization.name}",
            "",
            f"Candidate: {application.candidate.username}",
            f"Interview: {application.pk} ({application.get_status_display().lower()})",
            f"Copy made: {iso_utc(now)}",
            "",
            f"captures/camera, captures/screen  {image_count} image(s), named by capture time",
            "timeline.csv                      every capture and incident, in time order",
            "events.csv                        what the page and the camera reported",
            "integrity.json                    the integrity score, its rules and incidents",
            "consent.json                      your answers to the monitoring notice",
            "messages.json                     messages, warnings and raised hands (and the "
            "end, if a reviewer ended the interview)",
            "decisions.json                    reviewers' verdicts on incidents, notes, decisions",
            "identity/, identity.json          the photos you showed to say who you are, and "
            "each camera frame's face distance to your selfie (if the check was on)",
            "",
            f"{organization.name} keeps this record for "
            f"{organization.retention_window_days} days after the interview, "
            "then deletes it. To have it erased sooner, ask your recruiter.",
            "",
        ]
    )
