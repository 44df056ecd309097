"""The candidate's pages: their interviews, and the interview panel (static/monitoring/panel.js)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from applications import notice
from applications.selectors import (
    applications_for_user,
    applications_with_consent_state,
    consent_latest,
    response_for,
)
from applications.services import (
    answerable_decision,
    candidate_response_submit,
    response_window_end,
    steps_required,
)
from cameras.proctoring import conversation, hand_raised_at
from common.errors import ServiceError
from common.http import request_info
from monitoring.identity.selectors import identity_status
from monitoring.images.selectors import own_captures_summary
from monitoring.images.services import signed_urls_issue
from monitoring.integrity.selectors import screen_sharing_state
from monitoring.interview.labels import CHECK_LABELS, INTERVIEW_ALERTS, PANEL_LABELS
from monitoring.review.selectors import counted_against


def _require_candidate(user) -> None:
    if not user.is_candidate:
        raise PermissionDenied(_("The interview pages are for candidates."))


@login_required
def home(request):
    """Land where the work is: candidates on their interviews, reviewers on the console."""
    if request.user.is_candidate:
        return redirect("interview-list")
    return redirect("console")


@login_required
@ensure_csrf_cookie
def interview_list(request):
    """The candidate's interviews; under one with a final decision against them, the decision,
    its reason, the incidents that count and their own flagged frames, and their answer (once,
    within RESPONSE_WINDOW_DAYS)."""
    _require_candidate(request.user)
    applications = list(
        applications_with_consent_state(applications_for_user(user=request.user))
        .select_related("job__organization", "candidate_response")
        .order_by("-created_at")
    )
    info = request_info(request)
    decided = {}
    for application in applications:
        decision = answerable_decision(application_id=application.pk)
        if decision is None:
            continue
        shown = counted_against(application=application)
        urls = signed_urls_issue(actor=request.user, images=shown["frames"], info=info)
        decided[application.pk] = {
            "decision": decision,
            "incidents": shown["incidents"],
            "frames": [(frame, urls[frame.file.name]) for frame in shown["frames"]],
            "response": response_for(application),
            "until": response_window_end(decision),
        }
    rows = [(application, decided.get(application.pk)) for application in applications]
    return render(
        request,
        "monitoring/interview_list.html",
        {"applications": applications, "rows": rows, "now": timezone.now()},
    )


@login_required
@require_POST
def interview_response(request, application_id: int):
    """The answer form of the interview list (the same service as POST …/response/)."""
    _require_candidate(request.user)
    application = get_object_or_404(applications_for_user(user=request.user), pk=application_id)
    text = request.POST.get("text", "").strip()[:4000]
    if not text:
        messages.error(request, _("Write your answer first."))
        return redirect("interview-list")
    try:
        candidate_response_submit(
            actor=request.user, application=application, text=text, info=request_info(request)
        )
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your answer was sent to the reviewers."))
    return redirect("interview-list")


def _own_application(request, application_id: int):
    _require_candidate(request.user)
    return get_object_or_404(
        applications_for_user(user=request.user).select_related("job__organization"),
        pk=application_id,
    )


def _check_seen_key(application_id: int) -> str:
    return f"system-check-seen:{application_id}"


CHECK_STEPS = (
    {
        "name": "browser",
        "title": gettext_lazy("Browser"),
        "about": gettext_lazy("Camera, screen sharing, live connection."),
    },
    {
        "name": "camera",
        "title": gettext_lazy("Camera"),
        "about": gettext_lazy("Frames arrive; a real camera, not software."),
    },
    {
        "name": "face",
        "title": gettext_lazy("Your face"),
        "about": gettext_lazy("One test frame, analysed and not stored."),
    },
    {
        "name": "screen",
        "title": gettext_lazy("Screen sharing"),
        "about": gettext_lazy("Permission to share the screen."),
    },
    {
        "name": "upload",
        "title": gettext_lazy("Upload speed"),
        "about": gettext_lazy("A test upload the size of a capture."),
    },
    {
        "name": "clock",
        "title": gettext_lazy("Clock"),
        "about": gettext_lazy("Your computer's clock against ours."),
    },
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
        # The language the notice is shown in: the consent records it (one version id, its
        # translations).
        "language": get_language(),
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
            "soundOn": _("Sound on"),
            "soundOff": _("Sound off"),
            "raiseHand": _("Raise hand"),
            "lowerHand": _("Lower hand"),
            "offline": _("Reconnecting to the recruiters…"),
            "warning": _("Warning from the recruiter"),
            "answered": _("answered your raised hand."),
        },
        "identity": _identity_step(application),
        # A frame check failing this long is said on the page (the presence socket's `check`).
        "alertAfterSeconds": CHECK_ALERT_AFTER_SECONDS,
        # A page opened again counts what was sent before it.
        "uploadedBefore": sent["count"],
        "lastUploadAt": sent["last_received_at"].isoformat() if sent["last_received_at"] else None,
        "labels": PANEL_LABELS,
        # What the page says when a check keeps failing (the socket's `check` names it).
        "alerts": INTERVIEW_ALERTS,
    }
    organization = application.job.organization
    return render(
        request,
        "monitoring/interview_detail.html",
        {
            "application": application,
            "identity_check": organization.identity_check,
            "document_retention_days": organization.document_retention_days,
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


def _identity_step(application) -> dict:
    """What the page's reference-photo step needs: which photos the organization asks for,
    which are already there (a reload does not ask again), and the words it shows."""
    status = identity_status(application=application)
    return {
        "check": status.check,
        "selfie": status.selfie is not None,
        "document": status.document is not None,
        "labels": IDENTITY_LABELS,
    }


# The reference-photo step's words (static/monitoring/identity.js shows them; the server's
# answers fill in the rest).
IDENTITY_LABELS = {
    "selfieTitle": gettext_lazy("Reference photo"),
    "selfieIntro": gettext_lazy(
        "Look straight at the camera, alone, with your face well lit, then take "
        "the photo. It is compared with your camera snapshots to show the interview is taken by "
        "you."
    ),
    "documentTitle": gettext_lazy("Your ID document"),
    "documentIntro": gettext_lazy(
        "Hold your ID document (passport, ID card or driving licence) to the "
        "camera with its photo facing it, close enough to fill most of the picture, then take the "
        "photo."
    ),
    "take": gettext_lazy("Take photo"),
    "retake": gettext_lazy("Take it again"),
    "later": gettext_lazy("Later"),
    "sending": gettext_lazy("Checking the photo…"),
    "faceFound": gettext_lazy("A face is found"),
    "oneFace": gettext_lazy("Only one face"),
    "light": gettext_lazy("Enough light"),
    "size": gettext_lazy("Close enough"),
    "selfieDone": gettext_lazy("Reference photo saved."),
    "documentMatch": gettext_lazy("Your ID photo matches your reference photo."),
    "documentNoMatch": gettext_lazy(
        "Your ID photo does not look like your reference photo. Take both "
        "again if that is a mistake; a reviewer will look at it either way."
    ),
    "documentDone": gettext_lazy("ID document photo saved."),
    "reminder": gettext_lazy(
        "Your identity photos are not done yet. The interview goes on; take them when you can."
    ),
    "reminderButton": gettext_lazy("Take them now"),
    "cameraFirst": gettext_lazy("Turning your camera on…"),
    "noFrame": gettext_lazy("The camera has no picture yet; try again in a moment."),
}
