"""The candidate's pages: their interviews, and the interview panel (static/monitoring/panel.js)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from applications import notice
from applications.selectors import (
    applications_for_user,
    applications_with_consent_state,
    consent_latest,
)
from applications.services import steps_required
from monitoring.images.selectors import own_captures_summary
from monitoring.integrity.selectors import screen_sharing_state
from monitoring.interview.labels import CHECK_LABELS, PANEL_LABELS


def _require_candidate(user) -> None:
    if not user.is_candidate:
        raise PermissionDenied("The interview pages are for candidates.")


@login_required
def home(request):
    """Land where the work is: candidates on their interviews, reviewers on the console."""
    if request.user.is_candidate:
        return redirect("interview-list")
    return redirect("console")


@login_required
def interview_list(request):
    _require_candidate(request.user)
    applications = applications_with_consent_state(
        applications_for_user(user=request.user)
    ).order_by("-created_at")
    return render(request, "monitoring/interview_list.html", {"applications": applications})


def _own_application(request, application_id: int):
    _require_candidate(request.user)
    return get_object_or_404(
        applications_for_user(user=request.user).select_related("job__organization"),
        pk=application_id,
    )


def _check_seen_key(application_id: int) -> str:
    return f"system-check-seen:{application_id}"


CHECK_STEPS = (
    {"name": "browser", "title": "Browser", "about": "Camera, screen sharing, live connection."},
    {"name": "camera", "title": "Camera", "about": "Frames arrive; a real camera, not software."},
    {"name": "face", "title": "Your face", "about": "One test frame, analysed and not stored."},
    {"name": "screen", "title": "Screen sharing", "about": "Permission to share the screen."},
    {"name": "upload", "title": "Upload speed", "about": "A test upload the size of a capture."},
    {"name": "clock", "title": "Clock", "about": "Your computer's clock against ours."},
)

CHECK_ALERT_AFTER_SECONDS = 5

# Labels of virtual cameras (software that feeds a picture instead of a camera): the check
# says so before the interview (the identity issues name the setting).
VIRTUAL_CAMERA_LABELS = (
    "obs",
    "virtual",
    "manycam",
    "snap camera",
    "xsplit",
    "droidcam",
    "epoccam",
)


@login_required
@ensure_csrf_cookie
def interview_check(request, application_id: int):
    """The system check (static/monitoring/check.js): the set-up tested before anything is
    recorded, reachable before consent and any time after. Nothing is stored but its result."""
    application = _own_application(request, application_id)
    request.session[_check_seen_key(application.pk)] = True
    required = steps_required(application=application)
    check_config = {
        "applicationId": application.pk,
        "interviewUrl": application.get_absolute_url(),
        "cameraMonitoring": application.camera_monitoring,
        "screenMonitoring": application.screen_monitoring,
        "cameraInterval": application.camera_interval,
        "screenInterval": application.screen_interval,
        "virtualCameraLabels": list(
            getattr(settings, "IDENTITY_VIRTUAL_CAMERA_LABELS", VIRTUAL_CAMERA_LABELS)
        ),
    }
    return render(
        request,
        "monitoring/interview_check.html",
        {
            "application": application,
            "check_config": check_config,
            "check_labels": CHECK_LABELS,
            "steps": [step for step in CHECK_STEPS if step["name"] in required],
            "last_check": application.system_check,
        },
    )


@login_required
@ensure_csrf_cookie
def interview_detail(request, application_id: int):
    application = _own_application(request, application_id)
    first_visit = application.system_check is None and not request.session.get(
        _check_seen_key(application.pk)
    )
    if first_visit and application.status in ("invited", "in_progress"):
        return redirect("interview-check", application_id=application.pk)
    sent = own_captures_summary(application_id=application.pk, user_id=request.user.pk)
    latest = consent_latest(application_id=application.pk)
    consent_state = latest.state if latest is not None else "none"
    if latest is not None and latest.outdated:
        consent_state = "outdated"  # agreed to an older notice: it asks again, saying what changed
    panel_config = {
        "applicationId": application.pk,
        "status": application.status,
        "consented": consent_state == "active",
        "consentState": consent_state,
        "noticeVersion": notice.CURRENT,
        "cameraMonitoring": application.camera_monitoring,
        "screenMonitoring": application.screen_monitoring,
        "cameraInterval": application.camera_interval,
        "screenInterval": application.screen_interval,
        # never | open | stopped: a page loaded without sharing while the record says "open"
        # records that sharing ended; after "stopped" it asks to share again.
        "screenSharing": screen_sharing_state(application_id=application.pk)
        if application.screen_monitoring
        else "never",
        "heartbeatMs": int(settings.CAMERA_HEARTBEAT_SECONDS * 1000),
        # A frame check failing this long is said on the page (the presence socket's `check`).
        "alertAfterSeconds": CHECK_ALERT_AFTER_SECONDS,
        # A page opened again counts what was sent before it.
        "uploadedBefore": sent["count"],
        "lastUploadAt": sent["last_received_at"].isoformat() if sent["last_received_at"] else None,
        "labels": PANEL_LABELS,
    }
    return render(
        request,
        "monitoring/interview_detail.html",
        {
            "application": application,
            "panel_config": panel_config,
            "retention_days": application.job.organization.retention_window_days,
            "live_viewers_max": settings.LIVE_VIEWERS_MAX,
            "consent_declined_at": latest.declined_at if latest is not None else None,
            "notice_changes": notice.notice_changes_since(latest.notice_version)
            if consent_state == "outdated"
            else [],
        },
    )
