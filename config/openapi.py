"""The OpenAPI schema's error contract: every operation lists each error status it can give,
with the one error shape (`Error`) and the `code`s it can carry there.

Most of it is derived from the view itself, so a new endpoint is documented by what it is:

- 401 wherever a caller must be signed in (`not_authenticated`, `authentication_failed`,
  `token_expired`), or wherever credentials are read at all (a wrong token is refused);
- 403 `csrf_failed` for unsafe methods under session auth, `permission_denied` where the
  view's permission classes refuse one of the three roles (asked of each role);
- 404 `not_found` for every path with a parameter (and for a paginated list's `page`);
- 400 for a request body or query parameters: `parse_error`, `too_deep`, `invalid`, and the
  codes of every field of the serializers that read them (DRF names a field error by code);
- 413 `request_too_large` and 415 `unsupported_media_type` wherever there is a request body;
- 429 `rate_limited` where a throttle counts the method; 503 `server_busy` everywhere (the
  database pool can be exhausted on any request; config.exceptions answers it).

What a service raises on its own (`code="..."` in services and views) is declared once in
OPERATION_ERRORS below, keyed by operationId; a test holds that table to the source (every
code raised is documented somewhere, every key is a real operation) and the fuzzer
(tests/contract) holds the answers to the whole schema.

Codes are listed, not enumerated: the `Error` schema's `code` is a string, and each error
response names its codes in its description, in `x-error-codes` and as one example per code.
A strict `enum` would make a generated client fail on a code added later, which the
versioning rule (README, "API contract") allows without a new version.
"""

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, is_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request

from accounts.authentication import ExpiringTokenAuthentication
from accounts.models import User
from common.parsers import BoundedJSONParser
from common.throttles import LimitsThrottle


class ErrorSerializer(serializers.Serializer):
    """Every refusal and failure under /api/ has this shape, whatever its status (also an
    unknown path: 404 `not_found`)."""

    success = serializers.BooleanField(help_text="Always false.")
    message = serializers.CharField(
        help_text="For people: says what went wrong and what to do. Its wording may change."
    )
    code = serializers.CharField(
        help_text=(
            "For programs: why, as a stable identifier. Each error response lists the codes "
            "its operation can give; codes may be added without a new version, so treat an "
            "unknown one as the status's general meaning."
        )
    )
    errors = serializers.DictField(
        required=False,
        help_text=(
            "Only on 400s from input validation: each field's messages (nested input nests "
            "the same way; `non_field_errors` for the body as a whole)."
        ),
    )


STATUS_TITLES = {
    400: "The request is not valid; nothing was changed.",
    401: "No valid credentials: sign in, or ask POST /api/auth/token/ for a token.",
    403: "Signed in, but not allowed to do this.",
    404: "Not found, or not visible to the caller (the two are not told apart).",
    409: "Refused in the current state of the object; nothing was changed.",
    413: "The request body is larger than this path accepts.",
    415: "The request body's media type is not one this operation reads.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The server cannot serve this right now; nothing was changed. Retry after "
    "`Retry-After` seconds.",
}

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds to wait before trying again.",
        "required": True,
    }
}

# What each code means, once (the descriptions and examples of every operation use it).
CODES = {
    # 400: the body or the query
    "parse_error": "The body is not valid JSON or form data.",
    "too_deep": "The JSON nests deeper than JSON_MAX_DEPTH.",
    "invalid": "A value (or the body as a whole) is not of the expected form.",
    "required": "A required field is missing.",
    "null": "A field that may not be null is null.",
    "blank": "A text field that may not be blank is blank.",
    "max_length": "A text or list is longer than allowed.",
    "min_length": "A text or list is shorter than allowed.",
    "max_value": "A number is larger than allowed.",
    "min_value": "A number is smaller than allowed.",
    "max_string_length": "A number was sent as a text too long to read.",
    "invalid_choice": "A value is not one of the allowed choices.",
    "not_a_list": "A field that takes a list got something else.",
    "not_a_dict": "A field that takes an object got something else.",
    "empty": "A list or file that may not be empty is empty.",
    "no_name": "An uploaded file has no file name.",
    "make_aware": "A time cannot be placed in the server's time zone.",
    "overflow": "A time is out of the range the server can represent.",
    "null_characters_not_allowed": "A text contains NUL characters.",
    "surrogate_characters_not_allowed": "A text contains lone surrogate characters.",
    "authorization": "The username and password do not match an active account.",
    "cannot_invite": "This address cannot be invited (a staff or deactivated account).",
    "no_face": "No face was found in the identity photo.",
    "several_faces": "The identity photo shows more than one face.",
    "face_too_small": "The face in the identity photo is too small to compare.",
    "too_dark": "The identity photo is too dark (or too bright) to compare.",
    "url_not_allowed": "The webhook URL may not be called: not https, credentials in it, or "
    "a name that resolves to an address that is not public (README, Integrations).",
    "status_not_writable": "The status changes only through start, finish, withdraw and terminate.",
    "not_a_reviewer": "`assigned_reviewer_id` is not an active recruiter of the organization.",
    "reason_required": "Say why the interview ends (`reason`).",
    "too_long": "A text is longer than allowed (a termination reason: 500 characters).",
    "duplicate_step": "A system check names the same step twice.",
    "not_a_candidate": "Only a candidate's data can be erased this way.",
    "empty_image": "The image is empty.",
    "invalid_base64": "`image_data` is not valid base64.",
    "unsupported_image_type": "The image is not a still JPEG, PNG or WebP image.",
    "corrupt_image": "The image is damaged or truncated.",
    "trailing_data": "The image has data after its end.",
    "image_too_large": "The image is larger than MONITORING_MAX_SIDE / MONITORING_MAX_PIXELS.",
    "captured_at_in_future": "`captured_at` is more than 5 minutes ahead of the server.",
    "captured_at_too_old": "`captured_at` is more than 24 hours old.",
    "occurred_at_in_future": "`occurred_at` is more than 5 minutes ahead of the server.",
    "occurred_at_too_old": "`occurred_at` is more than 24 hours old.",
    # 401
    "not_authenticated": "No credentials were sent.",
    "authentication_failed": "The token is not valid (or its user is deactivated).",
    "token_expired": "The token is older than API_TOKEN_TTL: ask for a new one.",
    "otp_required": "The account has a second factor: send its current code as `otp`.",
    "otp_invalid": "`otp` is not the authenticator's current code nor an unused recovery code.",
    # 403
    "permission_denied": "The caller's role may not do this.",
    "csrf_failed": "A session-authenticated unsafe request without its CSRF token.",
    "not_candidate": "Only the candidate of this interview may do this.",
    "not_own_stream": "`user_id` names someone else: a camera stream is always the caller's.",
    "not_own_application": "The application is not the caller's own.",
    "no_organization": "The recruiter belongs to no organization.",
    "not_author": "Only a note's author may edit it.",
    "sso_required": "The account's organization signs its staff in through single sign-on "
    "only: no password sign-in, no token for a password.",
    "second_factor_setup_required": "The account's organization requires a second factor that "
    "the account has not set up yet (set it up on the page first).",
    # 404
    "not_found": "No such object, or not visible to the caller.",
    "application_not_found": "No such application, or not visible to the caller.",
    "job_not_found": "No such job, or not visible to the caller.",
    "organization_not_found": "No such organization, or not the recruiter's own.",
    "image_not_found": "No such capture, or not visible to the caller.",
    "webhook_endpoint_not_found": "No such webhook endpoint, or not visible to the caller.",
    "incident_not_found": "No such incident in this interview (or its evidence is gone).",
    "note_not_found": "No such note in this interview.",
    # 409
    "application_exists": "The candidate already has an application for this job.",
    "settings_locked": "Recording has begun: the monitoring settings are locked.",
    "invalid_transition": "The interview's status does not allow this step.",
    "application_not_active": "The interview is not in progress: nothing is recorded.",
    "consent_required": "The candidate has not consented (or withdrew consent).",
    "legal_hold": "The interview is under a legal hold.",
    "interview_in_progress": "The interview is in progress: finish or withdraw it first.",
    "notice_outdated": "The notice the page showed has changed since: show the current one.",
    "identity_not_required": "This organization does not check identity.",
    "same_reviewer": "A second review must be by another reviewer than the one who decided.",
    "already_answered": "The candidate has already answered this decision (once).",
    "nothing_to_answer": "No final `concerns` or `violation` decision to answer.",
    "response_window_closed": "The time to answer the decision (RESPONSE_WINDOW_DAYS) is over.",
    "note_locked": "A note is editable for 15 minutes; after that add a new note to correct it.",
    # 413, 415
    "request_too_large": "The body passes REQUEST_MAX_BYTES (MONITORING_UPLOAD_MAX_BYTES for "
    "uploads).",
    "unsupported_media_type": "The body's Content-Type is not one the operation reads.",
    # 429
    "rate_limited": "A rate limit is reached.",
    "locked_out": "Too many failed sign-ins for this account from this address.",
    # 503
    "server_busy": "Every database connection (or export slot) is busy.",
    "storage_unavailable": "Image storage does not answer; the capture was not stored.",
    "identity_unavailable": "Face matching is not available on this server (no face model).",
}

# What services and views raise beyond the derived statuses, per operationId. `None` drops a
# derived status the operation cannot give (said why beside it).
OPERATION_ERRORS: dict[str, dict[int, list[str] | None]] = {
    "webhook_endpoints_create": {
        400: ["url_not_allowed", "invalid", "required"],
        403: ["no_organization"],
        404: ["organization_not_found", "not_found"],
    },
    "webhook_endpoints_retrieve": {404: ["webhook_endpoint_not_found"]},
    "webhook_endpoints_partial_update": {
        400: ["url_not_allowed", "invalid"],
        404: ["webhook_endpoint_not_found"],
    },
    "webhook_endpoints_destroy": {404: ["webhook_endpoint_not_found"]},
    "webhook_endpoints_test_create": {404: ["webhook_endpoint_not_found"]},
    "applications_create": {
        400: ["cannot_invite"],
        403: ["no_organization"],
        404: ["job_not_found"],
        409: ["application_exists"],
    },
    "applications_retrieve": {404: ["application_not_found"]},
    "applications_partial_update": {
        400: ["status_not_writable", "not_a_reviewer", "reason_required", "invalid_choice"],
        404: ["application_not_found"],
        409: ["settings_locked"],
    },
    "applications_camera_events_list": {404: ["application_not_found"]},
    "flag_stats_retrieve": {403: ["permission_denied"]},
    "applications_consent_retrieve": {404: ["application_not_found"]},
    "applications_consent_create": {
        400: ["invalid_choice"],
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["notice_outdated"],
    },
    "applications_start_create": {
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["invalid_transition"],
    },
    "applications_finish_create": {
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["invalid_transition"],
    },
    "applications_withdraw_create": {
        403: ["permission_denied"],
        404: ["application_not_found"],
        409: ["invalid_transition"],
    },
    "applications_terminate_create": {
        400: ["reason_required", "too_long"],
        403: ["permission_denied"],
        404: ["application_not_found"],
        409: ["invalid_transition"],
    },
    "applications_erase_create": {
        404: ["application_not_found"],
        409: ["legal_hold", "interview_in_progress"],
    },
    "applications_events_list": {404: ["application_not_found"]},
    "applications_events_create": {
        400: ["invalid_choice", "occurred_at_in_future", "occurred_at_too_old"],
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["application_not_active", "consent_required"],
    },
    "applications_export_csv_retrieve": {404: ["application_not_found"]},
    "applications_export_zip_retrieve": {
        404: ["application_not_found"],
        429: ["rate_limited"],
    },
    "applications_integrity_retrieve": {404: ["application_not_found"]},
    "applications_identity_retrieve": {404: ["application_not_found"]},
    "applications_identity_create": {
        400: [
            "invalid_choice",
            "empty_image",
            "invalid_base64",
            "unsupported_image_type",
            "corrupt_image",
            "trailing_data",
            "image_too_large",
            "no_face",
            "several_faces",
            "face_too_small",
            "too_dark",
        ],
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["application_not_active", "consent_required", "identity_not_required"],
        503: ["identity_unavailable", "storage_unavailable"],
    },
    "applications_identity_confirm_create": {
        400: ["invalid_choice"],
        403: ["permission_denied"],
        404: ["application_not_found"],
        409: ["identity_not_required"],
    },
    "applications_incidents_verdict_create": {
        403: ["permission_denied"],
        404: ["application_not_found", "incident_not_found"],
    },
    "applications_notes_list": {
        403: ["permission_denied"],
        404: ["application_not_found"],
    },
    "applications_notes_create": {
        403: ["permission_denied"],
        404: ["application_not_found", "image_not_found"],
    },
    "applications_notes_partial_update": {
        400: ["required"],  # `text` is the one field a PATCH changes: it must be there
        403: ["permission_denied", "not_author"],
        404: ["application_not_found", "note_not_found"],
        409: ["note_locked"],
    },
    "applications_decision_create": {
        403: ["permission_denied"],
        404: ["application_not_found"],
        409: ["interview_in_progress"],
    },
    "applications_decision_confirm_create": {
        403: ["permission_denied"],
        404: ["application_not_found"],
        409: ["same_reviewer", "invalid_transition"],
    },
    "applications_response_create": {
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["already_answered", "nothing_to_answer", "response_window_closed"],
    },
    "applications_monitoring_images_retrieve": {404: ["application_not_found"]},
    "applications_monitoring_images_create": {
        400: [
            "empty_image",
            "invalid_base64",
            "unsupported_image_type",
            "corrupt_image",
            "trailing_data",
            "image_too_large",
            "captured_at_in_future",
            "captured_at_too_old",
        ],
        403: ["not_candidate"],
        404: ["application_not_found"],
        409: ["application_not_active", "consent_required"],
        429: ["rate_limited"],
        503: ["storage_unavailable"],
    },
    "applications_system_check_create": {
        400: ["invalid_choice", "duplicate_step"],
        403: ["not_candidate"],
        404: ["application_not_found"],
    },
    "applications_monitoring_images_destroy": {
        403: ["permission_denied"],
        404: ["image_not_found"],
    },
    "auth_token_create": {
        # Asking for a token reads no credentials (TokenApi.get_authenticators); a 401 is
        # about the second factor only.
        401: ["otp_required", "otp_invalid"],
        400: ["authorization"],
        403: ["sso_required", "second_factor_setup_required"],
        429: ["locked_out", "rate_limited"],
    },
    "camera_status_create": {
        403: ["not_own_stream", "not_own_application"],
        404: ["application_not_found"],
        409: ["application_not_active", "consent_required"],
    },
    "erasure_receipts_retrieve": {404: ["not_found"]},
    "jobs_create": {
        400: ["required"],
        403: ["no_organization"],
        404: ["organization_not_found", "not_found"],
    },
    "jobs_retrieve": {404: ["job_not_found"]},
    "jobs_partial_update": {404: ["job_not_found"]},
    "monitoring_images_signed_url_retrieve": {404: ["image_not_found"]},
    "users_erase_create": {
        400: ["not_a_candidate"],
        404: ["not_found"],
        409: ["legal_hold", "interview_in_progress"],
    },
}

# DRF error codes a field gives only when it is configured for them.
_CONDITIONAL = {
    "blank": lambda f: getattr(f, "allow_blank", True) is False,
    "empty": lambda f: getattr(f, "allow_empty", getattr(f, "allow_empty_file", True)) is False,
    "max_length": lambda f: getattr(f, "max_length", None) is not None,
    "min_length": lambda f: getattr(f, "min_length", None) is not None,
    "max_value": lambda f: getattr(f, "max_value", None) is not None,
    "min_value": lambda f: getattr(f, "min_value", None) is not None,
    "date": lambda f: False,  # a Python date object: JSON and forms never send one
    "required": lambda f: f.required,
    "null": lambda f: not f.allow_null,
}


def field_error_codes(field, *, partial: bool = False) -> set[str]:
    """The codes DRF can answer for this field (or serializer) when it refuses input."""
    if getattr(field, "read_only", False):
        return set()
    codes = set()
    for code in field.error_messages:
        rule = _CONDITIONAL.get(code)
        if rule is None or rule(field):
            codes.add(code)
    if partial:
        codes.discard("required")
    codes.update(code for v in field.validators if (code := getattr(v, "code", None)))
    containers = serializers.ListSerializer | serializers.ListField | serializers.DictField
    if isinstance(field, containers):
        codes |= field_error_codes(field.child, partial=partial)
    if isinstance(field, serializers.Serializer):  # nested input
        for child in field.fields.values():
            codes |= field_error_codes(child, partial=partial)
    return codes


class InvigilAutoSchema(AutoSchema):
    """drf-spectacular's inspector, plus the error responses of each operation."""

    def get_operation_id(self) -> str:
        """drf-spectacular's id, as an identifier (`applications_export.csv_retrieve` has a
        dot that generated clients cannot name a function after)."""
        return re.sub(r"\W", "_", super().get_operation_id())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for status, codes in sorted(self.error_codes().items()):
            responses[str(status)] = error_response(status, codes, ref)
        return responses

    # --- What this operation can refuse --------------------------------------------------

    def error_codes(self) -> dict[int, list[str]]:
        derived: dict[int, set[str]] = {}

        def add(status: int, *codes: str) -> None:
            derived.setdefault(status, set()).update(codes)

        authenticators = self.view.get_authenticators()
        permissions = self.view.get_permissions()
        public = all(isinstance(p, AllowAny) for p in permissions)
        if authenticators:
            if not public:
                add(401, "not_authenticated")
            add(401, "authentication_failed")
            if any(isinstance(a, ExpiringTokenAuthentication) for a in authenticators):
                add(401, "token_expired")
        unsafe = self.method not in SAFE_METHODS
        if unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators):
            add(403, "csrf_failed")
        if self._refuses_a_role(permissions):
            add(403, "permission_denied")
        if "{" in self.path or (self._get_paginator() and self._is_list_view()):
            add(404, "not_found")
        bodies = self._request_serializers()
        for body in bodies:
            # A body of JSON `null` is refused `null`; the body itself is never "required".
            add(400, "parse_error", "invalid", "null")
            partial = self.method == "PATCH"
            for field in body.fields.values():
                add(400, *field_error_codes(field, partial=partial))
        if bodies:
            if any(isinstance(p, BoundedJSONParser) for p in self.view.get_parsers()):
                add(400, "too_deep")
            add(413, "request_too_large")
            add(415, "unsupported_media_type")
        for query in self._query_serializers():
            for field in query.fields.values():  # a query parameter is never null
                add(400, *field_error_codes(field) - {"null"})
        if any(self._throttles_method(t) for t in self.view.get_throttles()):
            add(429, "rate_limited")
        add(503, "server_busy")

        for status, codes in OPERATION_ERRORS.get(self.get_operation_id(), {}).items():
            if codes is None:
                derived.pop(status, None)
            else:
                add(status, *codes)
        return {status: sorted(codes) for status, codes in derived.items()}

    def _request_serializers(self) -> list:
        """The serializers documenting the body (one per media type where they differ)."""
        if self.method in SAFE_METHODS or self.method == "DELETE":
            return []
        request = self.get_request_serializer()
        candidates = request.values() if isinstance(request, dict) else [request]
        return [s for s in map(force_instance, candidates) if is_serializer(s)]

    def _query_serializers(self) -> list:
        found = []
        for parameter in self.get_override_parameters():
            parameter = force_instance(parameter)
            if is_serializer(parameter):
                found.append(parameter)
        return found

    def _throttles_method(self, throttle) -> bool:
        if isinstance(throttle, LimitsThrottle):
            return self.method in throttle.methods
        return True

    def _refuses_a_role(self, permissions) -> bool:
        """Ask the view's permission classes about a signed-in user of each role."""
        request: Request = self.view.request
        original = request._user if hasattr(request, "_user") else None
        try:
            for role in User.Role.values:
                request.user = User(role=role, is_active=True)
                if not all(p.has_permission(request, self.view) for p in permissions):
                    return True
            return False
        finally:
            request.user = original


def error_response(status: int, codes: list[str], ref: dict) -> dict:
    listed = "\n".join(f"- `{code}`: {CODES.get(code, '')}" for code in codes)
    response = {
        "description": f"{STATUS_TITLES.get(status, 'Refused.')}\n\n`code` is one of:\n{listed}",
        "content": {
            "application/json": {
                "schema": ref,
                "examples": {
                    code: {
                        "summary": code,
                        "value": {"success": False, "message": CODES.get(code, ""), "code": code},
                    }
                    for code in codes
                },
            }
        },
        "x-error-codes": codes,
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


# --- Values that may grow are listed, not enumerated ----------------------------------------


def open_response_enums(result, generator, request, public):
    """drf-spectacular postprocessing hook: in what the server *answers*, a field with a fixed
    set of values (an application's `status`, a consent's `state`) is a string whose values are
    listed (`x-extensible-enum` and the description), not an `enum`. A value may be added
    without a new version (README, "API contract") and a generated client must not fail on it;
    request bodies keep their strict enums (the server refuses anything else).
    The contract fuzzer holds the answers to the lists (tests/contract/hooks.py)."""
    schemas = result.get("components", {}).get("schemas", {})
    enums = {name: schema for name, schema in schemas.items() if "enum" in schema}

    def opened(node):
        if isinstance(node, list):
            return [opened(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref", "").rsplit("/", 1)[-1]
        if ref in enums:
            return _listed(enums[ref])
        if "allOf" in node and len(node["allOf"]) == 1:  # a described $ref: allOf [ref]
            ref = node["allOf"][0].get("$ref", "").rsplit("/", 1)[-1]
            if ref in enums:
                rest = {k: v for k, v in node.items() if k != "allOf"}
                return {**rest, **_listed(enums[ref], rest.get("description", ""))}
        return {key: opened(value) for key, value in node.items()}

    for name in list(schemas):
        if not name.endswith("Request") and name not in enums:
            schemas[name] = opened(schemas[name])
    used = set(_refs(result))
    for name in enums:
        if name not in used:
            del schemas[name]
    return result


def _refs(node):
    """Every component name a `$ref` in `node` points to."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _listed(enum: dict, described: str = "") -> dict:
    values = [v for v in enum["enum"] if v not in ("", None)]
    choices = enum.get("description") or "\n".join(f"* `{v}`" for v in values)
    text = described if choices in described else "\n\n".join(filter(None, [described, choices]))
    return {
        "type": "string",
        "x-extensible-enum": values,
        "description": f"{text}\n\nMore values may be added: read an unknown one as unknown.",
    }
