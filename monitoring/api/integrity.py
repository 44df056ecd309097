"""The integrity summary and the timeline CSV of one interview."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.selectors import application_get_for_user
from common.http import request_info
from monitoring.audit.services import access_log
from monitoring.integrity.exports import timeline_csv
from monitoring.integrity.rules import LABELS
from monitoring.integrity.selectors import integrity_report
from monitoring.models import AccessEvent

from .images import PersonSerializer


class IncidentSerializer(serializers.Serializer):
    """An incident by its fields (render its times in the reader's zone); `reason` is the
    stored wording, in UTC, for exports."""

    id = serializers.IntegerField(
        allow_null=True, help_text="Stable while the incident grows, shrinks or is re-scored."
    )
    type = serializers.CharField()
    label = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    duration_seconds = serializers.SerializerMethodField()
    ongoing = serializers.BooleanField()
    frame_count = serializers.IntegerField()
    image_ids = serializers.ListField(child=serializers.IntegerField())
    points = serializers.IntegerField(help_text="What it costs the score.")
    reason = serializers.CharField(help_text="The stored wording, times in UTC.")
    earlier_application_id = serializers.IntegerField(
        allow_null=True, help_text="identity_changed_since: the earlier interview it names."
    )
    verdict = serializers.CharField(
        source="verdict.verdict",
        allow_null=True,
        default=None,
        help_text="A reviewer's verdict: `confirmed` (the flag was right) or `dismissed` (a "
        "false alarm: it leaves `reviewed_score`); null: none yet.",
    )
    verdict_note = serializers.CharField(source="verdict.note", allow_null=True, default=None)
    verdict_by = PersonSerializer(source="verdict.decided_by", allow_null=True, default=None)
    verdict_at = serializers.DateTimeField(
        source="verdict.decided_at", allow_null=True, default=None
    )

    def get_label(self, incident) -> str:
        return LABELS[incident.type]

    def get_duration_seconds(self, incident) -> float:
        return round(incident.duration_seconds, 3)  # pages round it once, not twice


class RulesSerializer(serializers.Serializer):
    sustain_frames = serializers.IntegerField()
    sustain_seconds = serializers.IntegerField()
    tab_hidden_seconds = serializers.IntegerField()
    window_blur_seconds = serializers.IntegerField()


class SummaryEntrySerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    duration_seconds = serializers.SerializerMethodField()
    points = serializers.IntegerField()

    def get_duration_seconds(self, entry) -> float:
        return round(entry["duration_seconds"], 3)


class IntegrityOutputSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    score = serializers.IntegerField(
        min_value=0, max_value=100, help_text="Automatic: every incident counts."
    )
    reviewed_score = serializers.IntegerField(
        min_value=0,
        max_value=100,
        help_text="Reviewed: incidents a reviewer dismissed do not count.",
    )
    state = serializers.ChoiceField(
        choices=["ok", "insufficient_evidence"],
        help_text="insufficient_evidence: fewer than half of the analysed camera frames show the "
        "candidate's face (or none is analysed yet) — the score rests on too little.",
    )
    started = serializers.BooleanField(help_text="Recording has begun (started_at is set).")
    frames_analysed = serializers.IntegerField()
    frames_pending = serializers.IntegerField()
    frames_with_one_face = serializers.IntegerField()
    recorded_seconds = serializers.FloatField(help_text="How long the camera was live.")
    weights = serializers.DictField(child=serializers.IntegerField(), source="rules.weights")
    rules = RulesSerializer()
    summary = serializers.DictField(child=SummaryEntrySerializer())
    incidents = IncidentSerializer(many=True)


class IntegrityApi(APIView):
    """The integrity summary: score, the weights and rules used, counts and durations per
    type, and every incident. A read: ongoing incidents are counted up to now, nothing is
    written and no board is told."""

    @extend_schema(responses=IntegrityOutputSerializer)
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        result = integrity_report(application=application)
        return Response(
            IntegrityOutputSerializer({**result, "application_id": application.pk}).data
        )


class TimelineCsvApi(APIView):
    """CSV of the interview: one row per capture and one per incident, in time order."""

    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        access_log(
            actor=request.user,
            action=AccessEvent.Action.EXPORTED,
            info=request_info(request),
            application_id=application.pk,
            detail="timeline CSV",
        )
        response = HttpResponse(
            timeline_csv(application=application), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="interview-{application.pk}-timeline.csv"'
        )
        return response
