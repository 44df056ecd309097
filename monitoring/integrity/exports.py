"""The interview timeline as CSV: one row per capture and one per incident, in time order."""

import csv
import io

from common.time import iso_utc
from monitoring.models import MonitoringImage

from .services import integrity_recompute

COLUMNS = ["record", "time", "end", "type", "s3_key", "face_count", "flags", "reason"]


def _iso(value) -> str:
    return iso_utc(value) or ""


def timeline_csv(*, application_id: int) -> str:
    result = integrity_recompute(application_id=application_id)
    rows = []
    images = (
        MonitoringImage.objects.filter(application_id=application_id)
        .select_related("analysis")
        .order_by("captured_at", "id")
    )
    for image in images:
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
                ],
            )
        )
    for incident in result["incidents"] if result else []:
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
                ],
            )
        )
    rows.sort(key=lambda row: row[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(row for _, row in rows)
    return out.getvalue()
