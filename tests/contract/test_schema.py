"""The OpenAPI schema's own promises (config.openapi): pages documented as pages, one error
shape referenced by every error status with its codes listed, Retry-After where it is sent,
response values listed rather than enumerated, the error table held to the source, and the
`deprecated` mechanism of the versioning rule (README, "API contract")."""

import re
from pathlib import Path

import jsonschema
import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras import messages
from config.openapi import CODES, OPERATION_ERRORS

BASE_DIR = Path(__file__).resolve().parents[2]
APPS = ("accounts", "applications", "cameras", "monitoring", "integrations", "common", "config")
ERROR_REF = "#/components/schemas/Error"

# Codes raised in the source that no API operation answers, and why.
NOT_API_CODES = {
    "invitation_expired": "the invitation page (applications/views.py), not the API",
    "invitation_invalid": "the invitation page",
    "invitation_used": "the invitation page",
    "weak_password": "the invitation page",
}
# Codes any /api/ path may answer before a view runs (config.exceptions.STATUS_ERRORS), said
# once in the schema's description rather than on every operation.
EVERY_PATH_CODES = {"bad_request", "not_found", "method_not_allowed", "server_error"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {route}", operation


def test_the_paged_lists_are_documented_as_pages(schema):
    for route in ("/api/applications/", "/api/jobs/"):
        operation = schema["paths"][route]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}
        assert page["properties"]["results"]["type"] == "array"
        assert "page" in {p["name"] for p in operation["parameters"]}


def test_every_error_status_is_the_one_error_shape_with_its_codes(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"success", "message", "code"}
    assert "errors" in error["properties"]
    for name, operation in _operations(schema):
        statuses = {int(s) for s in operation["responses"] if s.startswith(("4", "5"))}
        assert 503 in statuses, name  # the database pool can be exhausted anywhere
        if operation.get("security") and {} not in operation["security"]:
            assert 401 in statuses, name
        for status in statuses:
            response = operation["responses"][str(status)]
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": ERROR_REF}, (name, status)
            codes = response["x-error-codes"]
            assert codes, (name, status)
            assert set(media["examples"]) == set(codes)
            for code in codes:
                assert f"`{code}`" in response["description"], (name, status, code)
            if status in (429, 503):
                assert response["headers"]["Retry-After"]["required"] is True, name


def test_request_bodies_document_what_they_can_be_refused_for(schema):
    for name, operation in _operations(schema):
        if "requestBody" not in operation:
            continue
        for status in (400, 413, 415):
            assert str(status) in operation["responses"], (name, status)
        bad_input = set(operation["responses"]["400"]["x-error-codes"])
        assert {"parse_error", "invalid"} <= bad_input, name


def test_every_listed_code_says_what_it_means(schema):
    for name, operation in _operations(schema):
        for status, response in operation["responses"].items():
            for code in response.get("x-error-codes", []):
                assert CODES.get(code), f"{name} {status}: `{code}` has no meaning in CODES"


def test_the_error_table_names_only_real_operations(schema):
    ids = {operation["operationId"] for _, operation in _operations(schema)}
    assert set(OPERATION_ERRORS) <= ids, set(OPERATION_ERRORS) - ids
    assert all(re.fullmatch(r"\w+", i) for i in ids)  # names a generated client can use


KEYWORD_CODE = r'\bcode=f?"([a-z_{}]+)"'
BODY_CODE = r'error_body\([^()]*(?:\([^()]*\))?[^()]*,\s*"([a-z_]+)"'


def _raised_codes() -> set[str]:
    """Every error code the source raises: `code="..."` and error_body(..., "...")."""
    found = set()
    for app in APPS:
        for file in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in file.parts or file.name == "openapi.py":
                continue
            text = file.read_text()
            found |= set(re.findall(KEYWORD_CODE, text)) | set(re.findall(BODY_CODE, text))
    templates = {c for c in found if "{" in c}
    for template in templates:  # f"{field}_in_future": the fields that use it
        found.discard(template)
        for field in ("captured_at", "occurred_at"):
            found.add(template.replace("{field}", field))
    return found


def test_every_code_the_source_raises_is_documented(schema):
    documented = {
        code
        for _, operation in _operations(schema)
        for response in operation["responses"].values()
        for code in response.get("x-error-codes", [])
    }
    raised = _raised_codes()
    assert {"settings_locked", "captured_at_in_future", "locked_out"} <= raised  # the scan works
    missing = raised - documented - set(NOT_API_CODES) - EVERY_PATH_CODES
    assert missing == set(), f"raised but documented on no operation: {sorted(missing)}"
    description = schema["info"]["description"]
    for code in EVERY_PATH_CODES:
        assert f"`{code}`" in description


def test_values_that_may_grow_are_listed_not_enumerated_in_answers(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or "enum" in component:
            continue  # what clients send keeps strict enums
        assert '"enum"' not in str(component).replace("'", '"'), name
    status = schema["components"]["schemas"]["ApplicationOutput"]["properties"]["status"]
    assert status["type"] == "string"
    assert {"invited", "in_progress", "completed", "withdrawn", "terminated"} == set(
        status["x-extensible-enum"]
    )


@pytest.mark.parametrize("debug", [False, True])
def test_a_path_the_schema_does_not_list_answers_the_error_shape(
    schema, acme, client_for, settings, debug
):
    """The schema's description promises it; with DEBUG on too (not Django's HTML page)."""
    settings.DEBUG = debug
    response = client_for(acme.recruiter).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    error = schema["components"]["schemas"]["Error"]
    jsonschema.Draft7Validator(error).validate(response.json())
    assert response.json()["code"] == "not_found"


def test_socket_codes_are_listed_too():
    codes = {
        code
        for socket in messages.SOCKETS
        for message in socket.sends
        for code in message.properties.get("code", {}).get("x-extensible-enum", [])
    }
    assert {"invalid", "rate_limited", "not_live", "too_many_viewers"} <= codes


# --- The deprecation mechanism ----------------------------------------------------------------


@extend_schema_serializer(deprecate_fields=["legacy_name"])
class GoingAwaySerializer(serializers.Serializer):
    name = serializers.CharField()
    legacy_name = serializers.CharField(help_text="Use `name`.")


class GoingAwayApi(APIView):
    @extend_schema(
        deprecated=True,
        description="Going away in v2: use GET /api/auth/me/.",
        responses=GoingAwaySerializer,
    )
    def get(self, request):
        return Response({"name": "x", "legacy_name": "x"})


def test_an_operation_or_field_marked_deprecated_says_so_in_the_schema():
    """README, "API contract": what is going away stays, marked `deprecated`, until the next
    version. Shown on a stand-in view: nothing in v1 is deprecated today."""
    generator = SchemaGenerator(patterns=[path("api/going-away/", GoingAwayApi.as_view())])
    schema = generator.get_schema(request=None, public=True)
    operation = schema["paths"]["/api/going-away/"]["get"]
    assert operation["deprecated"] is True
    fields = schema["components"]["schemas"]["GoingAway"]["properties"]
    assert fields["legacy_name"]["deprecated"] is True
    assert "deprecated" not in fields["name"]


def test_nothing_in_the_served_schema_is_deprecated_yet(schema):
    deprecated = [name for name, operation in _operations(schema) if operation.get("deprecated")]
    assert deprecated == []  # when one is, the README's API section names it
