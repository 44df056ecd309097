"""Pages: the candidate's interview list and panel, the recruiter's review console."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from accounts.errors import NotFound
from applications.models import JobApplication
from applications.selectors import (
    application_get_for_user,
    applications_for_user,
    consent_active,
)

from .selectors import camera_presence_for, console_applications
from .storage import key_from_signed_token

CONSOLE_PAGE_SIZE = 20


def _require_candidate(user) -> None:
    if not user.is_candidate:
        raise PermissionDenied("The interview pages are for candidates.")


def _require_reviewer(user) -> None:
    if not user.is_staff_role:
        raise PermissionDenied("The review console is for recruiters and admins.")


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
    try:
        application = application_get_for_user(user=request.user, application_id=application_id)
    except NotFound:
        raise Http404("Application not found.") from None
    panel_config = {
        "applicationId": application.pk,
        "status": application.status,
        "consented": consent_active(application_id=application.pk) is not None,
        "cameraMonitoring": application.camera_monitoring,
        "screenMonitoring": application.screen_monitoring,
        "cameraInterval": application.camera_interval,
        "screenInterval": application.screen_interval,
        "heartbeatMs": int(settings.CAMERA_HEARTBEAT_SECONDS * 1000),
    }
    return render(
        request,
        "monitoring/interview_detail.html",
        {
            "application": application,
            "panel_config": panel_config,
            "retention_days": settings.MONITORING_RETENTION_DAYS,
        },
    )


@login_required
def console(request):
    _require_reviewer(request.user)
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    live_only = request.GET.get("live") == "1"
    sort = request.GET.get("sort", "")
    qs = console_applications(
        user=request.user, query=query, status=status, live_only=live_only, sort=sort
    )
    page = Paginator(qs, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    presence = camera_presence_for(applications=page.object_list)
    rows = [(app, presence[app.pk]) for app in page.object_list]
    return render(
        request,
        "monitoring/console.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "status": status,
            "live_only": live_only,
            "sort": sort,
            "statuses": JobApplication.Status.choices,
        },
    )


@login_required
@ensure_csrf_cookie
def review_timeline(request, application_id: int):
    """The review timeline: captures and events of one interview (static/monitoring/timeline.js)."""
    _require_reviewer(request.user)
    try:
        application = application_get_for_user(user=request.user, application_id=application_id)
    except NotFound:
        raise Http404("Application not found.") from None
    config = {
        "applicationId": application.pk,
        "canDelete": request.user.is_staff_role,
        "pageSize": settings.MONITORING_TIMELINE_PAGE_SIZE,
    }
    return render(
        request,
        "monitoring/timeline.html",
        {
            "application": application,
            "timeline_config": config,
            "presence": camera_presence_for(applications=[application])[application.pk],
        },
    )


def signed_file(request, token: str):
    """Serve a locally stored image for a signed, unexpired link (local-storage mode only)."""
    try:
        key = key_from_signed_token(token)
    except signing.BadSignature:
        return HttpResponseForbidden("This image link is invalid or has expired.")
    if not key.startswith("monitoring/") or not default_storage.exists(key):
        raise Http404("Image not found.")
    response = FileResponse(default_storage.open(key, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
