"""The privacy page: what Invigil records, for how long, who sees it, and how to get a copy
or have it erased — with the real windows of the organizations the reader deals with."""

from django.conf import settings
from django.shortcuts import render

from accounts.models import Organization
from applications.selectors import applications_for_user


def privacy(request):
    organizations = []
    if request.user.is_authenticated:
        if request.user.is_candidate:
            ids = applications_for_user(user=request.user).values_list(
                "job__organization_id", flat=True
            )
            organizations = list(Organization.objects.filter(pk__in=ids))
        elif request.user.organization_id:
            organizations = [request.user.organization]
    return render(
        request,
        "monitoring/privacy.html",
        {
            "default_days": settings.MONITORING_RETENTION_DAYS,
            "organizations": organizations,
            "receipt_months": round(settings.ERASURE_RECEIPT_DAYS / 30.4),
            "audit_months": round(settings.AUDIT_RETENTION_DAYS / 30.4),
            "signed_url_minutes": settings.SIGNED_URL_EXPIRES // 60,
        },
    )
