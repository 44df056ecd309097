"""Reads for integrity: an organization's rules, and an application's incidents and score
computed from what is stored (nothing written here)."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from applications.models import JobApplication
from cameras.models import CameraEvent
from cameras.selectors import camera_events_for_application
from monitoring.models import ImageType, IntegrityRules, MonitoringEvent, MonitoringImage

from . import rules as integrity


def rules_for(*, organization_id: int) -> integrity.Rules:
    stored = IntegrityRules.objects.filter(organization_id=organization_id).first()
    weights = {**settings.INTEGRITY_WEIGHTS, **(stored.weights if stored else {})}
    if stored is None:
        return integrity.Rules(2, 20, 10, 10, weights)
    return integrity.Rules(
        stored.sustain_frames,
        stored.sustain_seconds,
        stored.tab_hidden_seconds,
        stored.window_blur_seconds,
        weights,
    )


def _live_intervals(camera_events, *, now: datetime, open_end: bool):
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


def compute(*, application: JobApplication, now: datetime | None = None) -> dict:
    """Incidents, score and summary of one application (nothing stored)."""
    now = now or timezone.now()
    rules = rules_for(organization_id=application.job.organization_id)
    open_end = application.status == JobApplication.Status.IN_PROGRESS
    window = (application.started_at, application.completed_at)
    images = (
        MonitoringImage.objects.filter(application=application, image_type=ImageType.CAMERA)
        .select_related("analysis")
        .order_by("captured_at", "id")
    )
    frames = []
    for image in images:
        analysis = getattr(image, "analysis", None)
        frames.append(
            integrity.Frame(
                image.pk, image.captured_at, tuple(analysis.flags) if analysis else None
            )
        )
    page = [
        integrity.Event(e.type, e.occurred_at)
        for e in MonitoringEvent.objects.filter(application=application)
    ]
    camera = list(camera_events_for_application(application_id=application.pk))
    camera_as_events = [integrity.Event(e.kind, e.occurred_at) for e in camera]

    common = {"now": now, "open_end": open_end}
    incidents = [
        *integrity.frame_incidents(frames, rules, open_end=open_end),
        *integrity.interval_incidents(
            page,
            start={"tab_hidden"},
            end={"tab_visible"},
            kind="tab_hidden",
            min_seconds=rules.tab_hidden_seconds,
            **common,
        ),
        *integrity.interval_incidents(
            page,
            start={"window_blur"},
            end={"window_focus"},
            kind="window_blur",
            min_seconds=rules.window_blur_seconds,
            **common,
        ),
        *integrity.interval_incidents(
            page,
            start={"screen_share_stopped"},
            end={"screen_share_started"},
            kind="screen_share_stopped",
            min_seconds=rules.sustain_seconds,
            **common,
        ),
        *integrity.interval_incidents(
            camera_as_events,
            start={"off", "timeout"},
            end={"on"},
            kind="camera_off",
            min_seconds=rules.sustain_seconds,
            window=window,
            **common,
        ),
    ]
    if application.camera_monitoring:
        incidents += integrity.snapshot_gaps(
            [f.at for f in frames],
            _live_intervals(camera, now=now, open_end=open_end),
            interval=application.camera_interval,
            open_end=open_end,
            now=now,
        )
    incidents.sort(key=lambda i: (i.started_at, i.type))
    value, summary = integrity.score(incidents, rules.weights)
    return {"score": value, "summary": summary, "incidents": incidents, "rules": rules}
