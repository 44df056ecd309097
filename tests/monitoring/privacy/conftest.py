"""An interview with a full record, stored for real (moto S3 or local files): captures with
analyses, page events, an incident and a score, camera history, consent, audit entries with
the candidate's address — and an object under its prefix that no row names."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from monitoring.models import AccessEvent, IntegrityEvent, IntegritySummary
from tests.factories import (
    CameraEventFactory,
    FrameAnalysisFactory,
    MonitoringConsentFactory,
    MonitoringEventFactory,
)
from tests.monitoring.conftest import store_frame


@dataclass
class Record:
    application: object
    keys: list[str] = field(default_factory=list)
    orphan: str = ""


def build_record(application, *, at=None, captures: int = 3) -> Record:
    at = at or timezone.now()
    MonitoringConsentFactory(application=application, accepted_at=at - timedelta(minutes=5))
    record = Record(application)
    for i in range(captures):
        kind = "screen" if i == captures - 1 else "camera"
        image = store_frame(application, "one_face.jpg", at + timedelta(seconds=10 * i), kind)
        record.keys.append(image.file.name)
        if kind == "camera":
            FrameAnalysisFactory(image=image)
    MonitoringEventFactory(application=application, occurred_at=at)
    CameraEventFactory(application=application, occurred_at=at)
    IntegrityEvent.objects.create(
        application=application,
        type="no_face",
        started_at=at,
        ended_at=at + timedelta(seconds=30),
        reason="No face for 30 s",
    )
    IntegritySummary.objects.create(application=application, score=90, penalty=10)
    AccessEvent.objects.create(
        actor=application.candidate,
        action=AccessEvent.Action.CONSENT_GIVEN,
        application=application,
        ip="203.0.113.7",
        user_agent="Candidate's browser",
    )
    record.orphan = default_storage.save(
        f"monitoring/{application.pk}/camera/0-orphan.jpg", ContentFile(b"left by a crash")
    )
    return record


def stored_under(application_id: int) -> list[str]:
    """Every object under the interview's prefix, walking the storage."""
    found = []

    def walk(path):
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}")

    walk(f"monitoring/{application_id}")
    return found
