"""The candidate's pages: their interviews, and the interview panel (static/monitoring/panel.js)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from applications import notice
from applications.selectors import applications_for_user, consent_latest
from cameras.proctoring import conversation, hand_raised_at
from monitoring.integrity.selectors import screen_sharing_state


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
    applications = applications_for_user(user=request.user).order_by("-created_at")
    return render(request, "monitoring/interview_list.html", {"applications": applications})


@login_required
@ensure_csrf_cookie
def interview_detail(request, application_id: int):
    _require_candidate(request.user)
    application = get_object_or_404(
        applications_for_user(user=request.user).select_related("job__organization"),
        pk=application_id,
    )
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
        # Live proctoring: the conversation so far, the hand, and the end if it came.
        "conversation": conversation(application_id=application.pk, limit=200),
        "handRaised": hand_raised_at(application_id=application.pk) is not None,
        "terminationReason": application.termination_reason,
        "chatLabels": {
            "soundOn": "Sound on",
            "soundOff": "Sound off",
            "raiseHand": "Raise hand",
            "lowerHand": "Lower hand",
            "offline": "Reconnecting to the recruiters…",
            "warning": "Warning from the recruiter",
            "answered": "answered your raised hand.",
        },
    }
    return render(
        request,
        "monitoring/interview_detail.html",
        {
            "application": application,
            "panel_config": panel_config,
            "retention_days": application.job.organization.retention_window_days,
            "live_viewers_max": settings.LIVE_VIEWERS_MAX,
            "message_max_chars": settings.MESSAGE_MAX_CHARS,
            "consent_declined_at": latest.declined_at if latest is not None else None,
            "notice_changes": notice.notice_changes_since(latest.notice_version)
            if consent_state == "outdated"
            else [],
        },
    )
