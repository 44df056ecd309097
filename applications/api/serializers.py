from dataclasses import dataclass
from datetime import datetime

from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from applications import notice
from applications.models import (
    CHECKS,
    MAX_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
    Decision,
    Job,
    JobApplication,
    MonitoringConsent,
)
from applications.selectors import (
    candidate_sees,
    consent_state_for,
    current_decision_for,
    response_for,
)
from applications.services.responses import response_window_end
from applications.services.system_check import STEPS


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class JobOutputSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer()

    class Meta:
        model = Job
        fields = ["id", "title", "description", "is_open", "organization", "created_at"]


class JobInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_open = serializers.BooleanField(required=False, default=True)
    organization_id = serializers.IntegerField(
        required=False, help_text="Admins only; recruiters always write to their organization."
    )


class JobUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_open = serializers.BooleanField(required=False)


class CandidateRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()


class JobRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organization = OrganizationRefSerializer()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class ApplicationDecisionSerializer(serializers.Serializer):
    """`{outcome, reason, by, at, state}`: the decision in force, and its second review."""

    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    reason = serializers.CharField()
    by = PersonRefSerializer(source="decided_by", allow_null=True)
    at = serializers.DateTimeField(source="decided_at")
    state = serializers.ChoiceField(
        choices=Decision.State.choices,
        help_text="pending_second_review: a violation waiting for a second reviewer; final; "
        "reopened: a verdict it rested on changed — decide again.",
    )
    confirmed_by = PersonRefSerializer(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    reopened_at = serializers.DateTimeField(allow_null=True)
    reopened_because = serializers.CharField()
    after_response = serializers.BooleanField(
        help_text="Recorded after the candidate's answer: `previous_outcome` is what they "
        "answered (the same outcome: kept; another: changed)."
    )
    previous_outcome = serializers.CharField(help_text="Empty unless after_response.")


class CandidateResponseSerializer(serializers.Serializer):
    text = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class CandidateResponseInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=4000,
        validators=[ProhibitNullCharactersValidator(), ProhibitSurrogateCharactersValidator()],
    )


class ApplicationDecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    reason = serializers.CharField(
        max_length=2000,
        validators=[ProhibitNullCharactersValidator(), ProhibitSurrogateCharactersValidator()],
    )


class SystemCheckStepSerializer(serializers.Serializer):
    """One step of the candidate's system check, as the check page measured it."""

    name = serializers.ChoiceField(choices=STEPS)
    passed = serializers.BooleanField()
    detail = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="What the page said."
    )
    width = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text="camera: frame width (px)"
    )
    height = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text="camera: frame height (px)"
    )
    face_count = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="face: faces the server found"
    )
    mbps = serializers.FloatField(
        min_value=0, max_value=100_000, required=False, help_text="upload: measured Mbit/s"
    )
    needed_mbps = serializers.FloatField(
        min_value=0,
        max_value=100_000,
        required=False,
        help_text="upload: what the capture intervals need (Mbit/s)",
    )
    offset_ms = serializers.IntegerField(
        min_value=-86_400_000,
        max_value=86_400_000,
        required=False,
        help_text="clock: how far the computer's clock is ahead of the server's (ms)",
    )


class SystemCheckInputSerializer(serializers.Serializer):
    steps = SystemCheckStepSerializer(many=True, max_length=len(STEPS), allow_empty=False)

    def validate_steps(self, steps):
        names = [step["name"] for step in steps]
        if len(set(names)) != len(names):
            raise serializers.ValidationError("Each step at most once.", code="duplicate_step")
        return steps


class SystemCheckSerializer(serializers.Serializer):
    """The candidate's latest system check (null until they ran it)."""

    passed = serializers.BooleanField(
        help_text="Every step the interview needs was run and passed."
    )
    at = serializers.DateTimeField(help_text="When the server received it.")
    steps = SystemCheckStepSerializer(many=True)


class ApplicationOutputSerializer(serializers.ModelSerializer):
    job = JobRefSerializer()
    candidate = CandidateRefSerializer()
    consent_state = serializers.SerializerMethodField(
        help_text="The candidate's latest answer to the monitoring notice: not_yet, given, "
        "declined or withdrawn."
    )
    settings_locked = serializers.BooleanField(
        source="recording_began",
        help_text="Recording has begun: the monitoring settings can no longer change.",
    )
    decision = serializers.SerializerMethodField(
        help_text="The decision in force (null: none yet). Shown to reviewers; a candidate "
        "sees null."
    )

    response = serializers.SerializerMethodField(
        help_text="The candidate's answer to a final decision against them (null: none)."
    )
    response_until = serializers.SerializerMethodField(
        help_text="The candidate may answer the decision until then (null: nothing to answer, "
        "or answered)."
    )

    def _viewer(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    @extend_schema_field(ApplicationDecisionSerializer(allow_null=True))
    def get_decision(self, application) -> dict | None:
        viewer = self._viewer()
        if viewer is None:
            return None
        decision = current_decision_for(application)
        if decision is None:
            return None
        if not viewer.is_staff_role and not candidate_sees(decision):
            return None  # the candidate sees a final decision that counts against them
        return ApplicationDecisionSerializer(decision).data

    @extend_schema_field(CandidateResponseSerializer(allow_null=True))
    def get_response(self, application) -> dict | None:
        if self._viewer() is None:
            return None
        response = response_for(application)
        return CandidateResponseSerializer(response).data if response is not None else None

    def get_response_until(self, application) -> datetime | None:
        viewer = self._viewer()
        if viewer is None or viewer.pk != application.candidate_id:
            return None
        if response_for(application) is not None:
            return None
        decision = current_decision_for(application)
        if decision is None or not candidate_sees(decision):
            return None
        until = response_window_end(decision)
        if until < timezone.now():
            return None
        return serializers.DateTimeField().to_representation(until)

    system_check = SystemCheckSerializer(allow_null=True, read_only=True)
    checks_off = serializers.ListField(
        child=serializers.ChoiceField(choices=CHECKS),
        help_text="Automatic checks turned off for this interview (an accommodation).",
    )
    checks_off_by = PersonRefSerializer(
        allow_null=True, help_text="Who turned the checks off (null: none are off)."
    )

    def get_consent_state(self, application) -> str:
        state = getattr(application, "consent_state", None)
        return state or consent_state_for(application_id=application.pk)

    class Meta:
        model = JobApplication
        fields = [
            "id",
            "job",
            "candidate",
            "status",
            "camera_monitoring",
            "screen_monitoring",
            "camera_interval",
            "screen_interval",
            "created_at",
            "started_at",
            "completed_at",
            "withdrawn_at",
            "terminated_at",
            "termination_reason",
            "assigned_reviewer_id",
            "consent_state",
            "settings_locked",
            "decision",
            "response",
            "response_until",
            "system_check",
            "checks_off",
            "checks_off_reason",
            "checks_off_by",
            "checks_off_at",
        ]


def _interval_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=MIN_INTERVAL_SECONDS, max_value=MAX_INTERVAL_SECONDS, **kwargs
    )


class ApplicationCreateSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    candidate_email = serializers.EmailField()
    candidate_name = serializers.CharField(required=False, allow_blank=True, default="")
    camera_monitoring = serializers.BooleanField(required=False)
    screen_monitoring = serializers.BooleanField(required=False)
    camera_interval = _interval_field(required=False)
    screen_interval = _interval_field(required=False)


class ApplicationUpdateSerializer(serializers.Serializer):
    """Monitoring settings. The status is not writable here: it changes only through start,
    finish and withdraw (each stamps its time)."""

    camera_monitoring = serializers.BooleanField(required=False)
    screen_monitoring = serializers.BooleanField(required=False)
    camera_interval = _interval_field(required=False)
    screen_interval = _interval_field(required=False)
    assigned_reviewer_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="A recruiter of the organization who watches this interview, or null.",
    )
    checks_off = serializers.ListField(
        child=serializers.ChoiceField(choices=CHECKS),
        required=False,
        max_length=len(CHECKS),
        help_text="An accommodation: automatic checks (incident types) that make no incidents "
        "in this interview. Only before recording begins (409 settings_locked); needs "
        "checks_off_reason (400 reason_required). [] turns them all back on.",
    )
    checks_off_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        validators=[ProhibitNullCharactersValidator(), ProhibitSurrogateCharactersValidator()],
        help_text="Why the checks are off: the report and the timeline show it.",
    )

    def validate(self, attrs):
        if "status" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "status": serializers.ErrorDetail(
                        "The status changes only through POST …/start/, …/finish/ and …/withdraw/.",
                        code="status_not_writable",
                    )
                }
            )
        return attrs


class TerminateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the interview ends; the candidate's page shows it."
    )


class ConsentInputSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(
        help_text=(
            "true gives consent; false withdraws it when it was given (recording stops at "
            "once), and otherwise records that the candidate declined."
        )
    )
    notice_version = serializers.CharField(
        required=False,
        max_length=20,
        help_text="The notice the page showed; an older one answers 409 notice_outdated.",
    )
    language = serializers.CharField(
        required=False,
        max_length=16,
        help_text="The language the notice was shown in (default: the page's language).",
    )


@dataclass(frozen=True)
class ConsentState:
    """An application's consent as the API shows it: the latest answer and every answer."""

    application_id: int
    consent: MonitoringConsent | None  # the latest answer, if any
    history: list

    @property
    def accepted(self) -> bool:
        return self.consent is not None and self.consent.state == "active"

    @property
    def state(self) -> str:
        return self.consent.state if self.consent is not None else "none"

    @property
    def outdated(self) -> bool:
        return self.consent is not None and self.consent.outdated

    @property
    def current_notice_version(self) -> str:
        return notice.CURRENT

    @property
    def changes(self) -> list[str]:
        """What changed since the notice the candidate agreed to (when it has changed)."""
        if not self.outdated:
            return []
        return notice.notice_changes_since(self.consent.notice_version)


class ConsentMomentSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["given", "withdrawn", "declined"])
    at = serializers.DateTimeField()
    notice_version = serializers.CharField()
    language = serializers.CharField(help_text="The language the notice was shown in.")


class ConsentOutputSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    accepted = serializers.BooleanField(help_text="Consent is given and not withdrawn.")
    state = serializers.ChoiceField(
        choices=["none", "active", "withdrawn", "declined", "replaced"],
        help_text="The latest answer.",
    )
    notice_version = serializers.CharField(source="consent.notice_version", allow_null=True)
    accepted_at = serializers.DateTimeField(source="consent.accepted_at", allow_null=True)
    withdrawn_at = serializers.DateTimeField(source="consent.withdrawn_at", allow_null=True)
    declined_at = serializers.DateTimeField(source="consent.declined_at", allow_null=True)
    language = serializers.CharField(source="consent.language", allow_null=True)
    outdated = serializers.BooleanField(
        help_text="Consent was given to a notice that has changed since: nothing is recorded "
        "until the candidate agrees to the current one."
    )
    current_notice_version = serializers.CharField()
    changes = serializers.ListField(
        child=serializers.CharField(), help_text="What changed since (when outdated)."
    )
    history = ConsentMomentSerializer(many=True, help_text="Every answer, oldest first.")
