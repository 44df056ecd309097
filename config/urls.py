from django.contrib import admin
from django.urls import include, path
from django.views import defaults
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.views import LoginView

from .asyncapi import AsyncApiView
from .exceptions import json_or_default
from .health import may_see_reasons, readiness
from .schema import SchemaView


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request, format=None):
    """Invigil API v1. Follow the links; the schema is at /api/schema/."""
    return Response(
        {
            "applications": reverse("api-applications", request=request, format=format),
            "jobs": reverse("api-jobs", request=request, format=format),
            "me": reverse("api-me", request=request, format=format),
            "camera_status": reverse("api-camera-status", request=request, format=format),
            "active_streams": reverse("api-camera-active-streams", request=request, format=format),
            "webhook_endpoints": reverse("api-webhook-endpoints", request=request, format=format),
            "schema": reverse("api-schema", request=request, format=format),
            "asyncapi": reverse("api-asyncapi", request=request, format=format),
            "docs": reverse("api-docs", request=request, format=format),
        }
    )


# The probes are for load balancers and operators (README, "Reliability"), not part of the
# integrators' contract: they stay out of the schema.
@extend_schema(exclude=True)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    """Liveness for load balancers; also the trivial baseline view of the benchmarks."""
    return Response({"status": "ok"})


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def ready(request):
    """Readiness: 200 when every dependency answers, else 503 naming the part (config.health);
    the reasons only for admins and X-Health-Token."""
    body = readiness(detail=may_see_reasons(request))
    return Response(body, status=200 if body["status"] == "ok" else 503)


api_patterns = [
    path("health/", health, name="api-health"),
    path("health/ready/", ready, name="api-ready"),
    path("", api_root, name="api-root"),
    path("auth/", include("accounts.api.urls")),
    path("", include("applications.api.urls")),
    path("", include("cameras.api.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("integrations.api.urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("asyncapi/", AsyncApiView.as_view(), name="api-asyncapi"),
    # The split view serves Swagger UI's initialiser as a script file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    # The admin signs in through the site's own sign-in (single sign-on, second factor).
    path("admin/login/", LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # The language switcher of every page (templates/_language_switcher.html): set_language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    path("", include("applications.urls")),
    path("", include("cameras.urls")),
    path("", include("monitoring.urls")),
]

handler400 = json_or_default(defaults.bad_request, 400, "bad_request", "Bad request.")
handler403 = json_or_default(defaults.permission_denied, 403, "permission_denied", "Forbidden.")
handler404 = json_or_default(defaults.page_not_found, 404, "not_found", "Not found.")
handler500 = json_or_default(defaults.server_error, 500, "server_error", "Server error.")
