"""The OpenAPI schema at /api/schema/: readable in a browser, a download for tools.

A browser (Accept: text/html) gets the YAML on a page of ours, with links to Swagger UI and
to the two downloads; `?format=yaml` and `?format=json` download the file; any other client
(Accept: */* or an OpenAPI media type) gets the schema itself, as before.
"""

from django.template.loader import render_to_string
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import BaseRenderer

DOWNLOADS = {"yaml": "invigil-openapi.yaml", "json": "invigil-openapi.json"}


class SchemaPageRenderer(BaseRenderer):
    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            # An error body (e.g. 403) is JSON like every other refusal.
            return OpenApiJsonRenderer2().render(data, "application/json", context)
        text = OpenApiYamlRenderer().render(data, renderer_context=context).decode()
        request = context["request"]
        return render_to_string(
            "api/schema.html",
            {
                "schema_text": text,
                "info": data.get("info", {}),
                "paths": len(data.get("paths", {})),
            },
            request=request._request,
        )


class SchemaView(SpectacularAPIView):
    renderer_classes = [
        OpenApiYamlRenderer,
        SchemaPageRenderer,
        OpenApiYamlRenderer2,
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
    ]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        name = DOWNLOADS.get(request.query_params.get("format", ""))
        if name and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        elif isinstance(getattr(request, "accepted_renderer", None), SchemaPageRenderer):
            del response["Content-Disposition"]  # a page, not a file
        return response
