"""The reviewer's pages: the review console and one interview's timeline."""

import contextlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from applications.models import Decision, JobApplication
from applications.selectors import CONSENT_LABELS, applications_for_user
from cameras.models import CameraEvent
from cameras.proctoring import proctor_log, warning_templates
from common.http import request_info
from monitoring.audit.services import access_log
from monitoring.decisions.services import NOTE_EDIT_MINUTES
from monitoring.identity.selectors import identity_status
from monitoring.images.services import signed_urls_issue
from monitoring.labels import IDENTITY_STATE_LABELS, INCIDENT_LABELS
from monitoring.models import AccessEvent, IncidentVerdict, MonitoringEvent
from monitoring.privacy.selectors import receipt_for_user

from .selectors import (
    COUNT_HINTS,
    application_records,
    applications_for_console,
    applications_with_counts,
    report_for_print,
)

CONSOLE_PAGE_SIZE = 20


def _require_reviewer(user) -> None:
    if not user.is_staff_role:
        raise PermissionDenied("The review console is for recruiters and admins.")


@login_required
def console(request):
    _require_reviewer(request.user)
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    consent = request.GET.get("consent", "")
    live_only = request.GET.get("live") == "1"
    sort = request.GET.get("sort", "")
    qs = applications_for_console(
        user=request.user,
        query=query,
        status=status,
        consent=consent,
        live_only=live_only,
        sort=sort,
    )
    page = Paginator(qs, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    applications = list(page.object_list)
    records = application_records(applications=applications)
    rows = [(app, records[app.pk]) for app in applications]
    erased = None
    with contextlib.suppress(ValueError, ValidationError):
        if request.GET.get("erased"):
            erased = receipt_for_user(user=request.user, receipt_id=request.GET["erased"])
    return render(
        request,
        "monitoring/console.html",
        {
            "erased": erased,
            "receipt_months": round(settings.ERASURE_RECEIPT_DAYS / 30.4),
            "page": page,
            "rows": rows,
            "query": query,
            "status": status,
            "consent": consent,
            "consent_choices": list(CONSENT_LABELS.items()),
            "live_only": live_only,
            "sort": sort,
            "statuses": JobApplication.Status.choices,
            "count_hints": COUNT_HINTS,
        },
    )


@login_required
@ensure_csrf_cookie
def review_timeline(request, application_id: int):
    """The review timeline: captures and events of one interview (static/monitoring/timeline.js)."""
    _require_reviewer(request.user)
    application = get_object_or_404(
        applications_with_counts(applications_for_user(user=request.user)), pk=application_id
    )
    config = {
        "applicationId": application.pk,
        "candidateId": application.candidate_id,
        "viewer": {"id": request.user.pk, "name": request.user.display_name},
        "canDelete": request.user.is_staff_role,
        "pageSize": settings.MONITORING_TIMELINE_PAGE_SIZE,
        "inProgress": application.status == JobApplication.Status.IN_PROGRESS,
        "countHints": COUNT_HINTS,
        "identity": _identity_card(application),
        # Every word the page shows for a flag, incident or event, from the one server source.
        "labels": {
            "incidents": INCIDENT_LABELS,
            "events": {
                **dict(MonitoringEvent.Type.choices),
                **dict(CameraEvent.Kind.choices),
                "consent_given": "Consent given",
                "consent_withdrawn": "Consent withdrawn — recording stopped",
                "consent_declined": "Monitoring declined",
            },
        },
    }
    ended = application.status in (JobApplication.Status.COMPLETED, JobApplication.Status.WITHDRAWN)
    config["decisions"] = {
        "ended": ended,
        "secondReview": application.job.organization.decision_second_review,
        "outcomes": dict(Decision.Outcome.choices),
        "states": dict(Decision.State.choices),
        "verdicts": dict(IncidentVerdict.Verdict.choices),
        "noteEditMinutes": NOTE_EDIT_MINUTES,
    }
    erase_blocked = ""
    if application.legal_hold:
        erase_blocked = "Under a legal hold: an admin must lift it first."
    elif application.status == JobApplication.Status.IN_PROGRESS:
        erase_blocked = "In progress: finish or withdraw the interview first."
    return render(
        request,
        "monitoring/timeline.html",
        {
            "application": application,
            "erase_blocked": erase_blocked,
            "timeline_config": config,
            "decision_blocked": ""
            if ended
            else "Decide once the interview has ended (finished or withdrawn).",
            "record": application_records(applications=[application])[application.pk],
            "count_hints": COUNT_HINTS,
            "proctor_log": proctor_log(application=application),
            "warnings": warning_templates(organization_id=application.job.organization_id),
            "message_max_chars": settings.MESSAGE_MAX_CHARS,
        },
    )


def _identity_card(application) -> dict | None:
    """The identity card's settings and words (static/monitoring/identity-card.js); None when
    the organization does not check identity."""
    organization = application.job.organization
    if organization.identity_check == "off":
        return None
    return {
        "check": organization.identity_check,
        "documentRetentionDays": organization.document_retention_days,
        "states": IDENTITY_STATE_LABELS,
        "labels": {
            "selfie": "Selfie",
            "document": "ID document",
            "missing": "Not taken yet",
            "notAsked": "Not asked for",
            "photoDeleted": "Photo deleted after the interview (kept {days} days)",
            "replaced": "replaced",
            "documentMatch": "ID photo vs selfie",
            "samePerson": "same person",
            "notSamePerson": "not the same person",
            "framesChecked": "Camera frames compared",
            "framesMatching": "matching",
            "lastDistance": "Last frame's distance",
            "threshold": "Threshold",
            "earlier": "Earlier interview",
            "decision": "{decision} by {by}, {at}",
            "noDecision": "No decision yet: look at the references and the marked frames, "
            "then confirm or reject.",
            "confirmed": "Identity confirmed",
            "rejected": "Identity rejected",
            "askReject": "Reject this candidate's identity? The decision and your note are "
            "recorded and audited.",
        },
    }


@login_required
def review_report(request, application_id: int):
    """The printable report of one interview: what a hiring manager reads without an account
    (the browser's "Save as PDF"). Opening it is an audit entry; its thumbnails are signed
    (and audited) like every other image URL."""
    _require_reviewer(request.user)
    application = get_object_or_404(
        applications_with_counts(applications_for_user(user=request.user)).select_related(
            "job__organization", "candidate"
        ),
        pk=application_id,
    )
    now = timezone.now()
    printed = report_for_print(application=application, now=now)
    report = printed["report"]
    info = request_info(request)
    frames = printed["frames"]
    urls = signed_urls_issue(actor=request.user, images=frames, info=info) if frames else {}
    access_log(
        actor=request.user,
        action=AccessEvent.Action.REPORT_PRINTED,
        info=info,
        application_id=application.pk,
        detail=f"score {report['score']}, {len(printed['incidents'])} incident(s)",
    )
    return render(
        request,
        "monitoring/report.html",
        {
            "application": application,
            "record": application_records(applications=[application])[application.pk],
            "report": report,
            "incidents": printed["incidents"],
            "consent": printed["consent"],
            "consent_versions": list(
                dict.fromkeys(a["notice_version"] for a in printed["consent"])
            ),
            "count_hints": COUNT_HINTS,
            "rules": printed["rules"],
            "frames": [(frame, urls.get(frame.file.name, "")) for frame in frames],
            "contributions": printed["contributions"],
            "proctor_log": proctor_log(application=application),
            "notes": printed["notes"],
            "gone_verdicts": printed["gone_verdicts"],
            "decisions": printed["decisions"],
            "identity": identity_status(application=application),
            "generated_at": now,
        },
    )
