"""The reviewer's pages: the review console and one interview's timeline."""

import contextlib
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from accounts.models import Organization
from applications.models import CHECKS, Decision, JobApplication
from applications.selectors import CONSENT_LABELS, applications_for_user, jobs_for_user
from applications.services import application_update
from cameras.models import CameraEvent
from cameras.proctoring import proctor_log, warning_templates
from common.errors import Conflict, InvalidInput
from common.http import request_info
from monitoring.audit.services import access_log
from monitoring.decisions.selectors import flag_stats
from monitoring.decisions.services import NOTE_EDIT_MINUTES
from monitoring.identity.selectors import identity_status
from monitoring.images.services import signed_urls_issue
from monitoring.integrity.selectors import integrity_rules_for
from monitoring.integrity.services import RULE_FIELDS, integrity_rules_update
from monitoring.labels import IDENTITY_STATE_LABELS, INCIDENT_LABELS
from monitoring.models import AccessEvent, IncidentVerdict, MonitoringEvent
from monitoring.privacy.selectors import receipt_for_user

from .selectors import (
    COUNT_HINTS,
    QUEUES,
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
    queue = request.GET.get("queue", "")
    outcome = request.GET.get("outcome", "")
    job_id = None
    with contextlib.suppress(ValueError):
        job_id = int(request.GET.get("job", "")) if request.GET.get("job") else None
    if job_id is not None and not 0 < job_id < 2**63:
        job_id = None
    qs = applications_for_console(
        user=request.user,
        query=query,
        status=status,
        consent=consent,
        live_only=live_only,
        sort=sort,
        queue=queue,
        outcome=outcome,
        job_id=job_id,
    )
    # The filters as a query string, for the sort links and the pager (sort and page apart).
    filters = urlencode(
        {
            key: value
            for key, value in {
                "q": query,
                "status": status,
                "consent": consent,
                "live": "1" if live_only else "",
                "queue": queue,
                "outcome": outcome,
                "job": job_id or "",
            }.items()
            if value
        }
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
            "queue": queue,
            "queues": list(QUEUES.items()),
            "outcome": outcome,
            "outcomes": Decision.Outcome.choices,
            "job_id": job_id,
            "jobs": jobs_for_user(user=request.user).order_by("title", "id"),
            "filters": filters,
            "filtered": bool(query or status or consent or live_only or queue or outcome or job_id),
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
            "checks_off_labels": [INCIDENT_LABELS.get(c, c) for c in application.checks_off],
            "checks": [
                (check, INCIDENT_LABELS.get(check, check), check in application.checks_off)
                for check in CHECKS
            ],
            "accommodation_error": request.GET.get("accommodation_error", "")[:200],
        },
    )


@login_required
@require_POST
def review_accommodations(request, application_id: int):
    """The timeline's accommodations form (before recording begins): the checks to turn off
    and why, through the same service as PATCH /api/applications/{id}/ (locked, audited)."""
    _require_reviewer(request.user)
    application = get_object_or_404(applications_for_user(user=request.user), pk=application_id)
    checks = [c for c in request.POST.getlist("checks_off") if c in CHECKS]
    target = reverse("review-timeline", args=[application.pk])
    try:
        application_update(
            actor=request.user,
            application=application,
            data={
                "checks_off": checks,
                "checks_off_reason": request.POST.get("checks_off_reason", "")[:500],
            },
        )
    except (InvalidInput, Conflict) as refused:
        return redirect(f"{target}?{urlencode({'accommodation_error': refused.message})}")
    return redirect(target)


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
            "checks_off_labels": [INCIDENT_LABELS.get(c, c) for c in application.checks_off],
        },
    )


class RulesForm(forms.Form):
    """The organization's thresholds and a weight per incident type (the flags page)."""

    sustain_frames = forms.IntegerField(
        min_value=1, max_value=100, label="Consecutive flagged frames that make an incident"
    )
    sustain_seconds = forms.IntegerField(
        min_value=1, max_value=3600, label="…or seconds of flagged frames"
    )
    tab_hidden_seconds = forms.IntegerField(
        min_value=1, max_value=3600, label="Seconds the tab is hidden before it counts"
    )
    window_blur_seconds = forms.IntegerField(
        min_value=1, max_value=3600, label="Seconds out of focus before it counts"
    )

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind in types:
            self.fields[f"weight_{kind}"] = forms.IntegerField(
                min_value=0, max_value=100, label=INCIDENT_LABELS.get(kind, kind)
            )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in RULE_FIELDS},
            "weights": {
                name.removeprefix("weight_"): value
                for name, value in data.items()
                if name.startswith("weight_")
            },
        }


def _flags_organization(request) -> Organization | None:
    """A recruiter's own organization; an admin's choice (?organization=)."""
    if not request.user.is_admin_role:
        return request.user.organization
    with contextlib.suppress(ValueError, TypeError):
        return Organization.objects.filter(pk=int(request.GET.get("organization", ""))).first()
    return None


@login_required
def flag_stats_page(request):
    """How often each flag was right (the reviewers' verdicts, 90 days) with the weight and
    thresholds beside it, editable: a change applies to interviews that start afterwards."""
    _require_reviewer(request.user)
    organization = _flags_organization(request)
    stats = flag_stats(user=request.user, organization_id=organization.pk if organization else None)
    types = [row["type"] for row in stats["types"]]
    rules = integrity_rules_for(organization_id=organization.pk) if organization else None
    initial = {}
    if rules is not None:
        initial = {name: getattr(rules, name) for name in RULE_FIELDS} | {
            f"weight_{kind}": rules.weights.get(kind, 0) for kind in types
        }
    form = RulesForm(initial=initial, types=types)
    saved = request.GET.get("saved") == "1"
    if request.method == "POST" and organization is not None:
        form = RulesForm(request.POST, types=types)
        if form.is_valid():
            integrity_rules_update(
                actor=request.user,
                organization=organization,
                values=form.values(),
                info=request_info(request),
            )
            query = f"?organization={organization.pk}&saved=1"
            return redirect(reverse("flag-stats") + query)
    rows = [
        {**row, "weight_field": form[f"weight_{row['type']}"] if rules else None}
        for row in stats["types"]
    ]
    return render(
        request,
        "monitoring/flags.html",
        {
            "since": stats["since"],
            "rows": rows,
            "form": form,
            "organization": organization,
            "organizations": Organization.objects.order_by("name")
            if request.user.is_admin_role
            else [],
            "saved": saved,
            "rule_fields": [form[name] for name in RULE_FIELDS] if rules else [],
        },
    )
