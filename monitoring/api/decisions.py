"""Reviewers' work on the record (DESIGN.md, "Contract additions (third wave)", Decisions): a
verdict on an incident, notes pinned to the record.

Thin: parse, fetch through a scoped selector, call one service, render through a serializer.
"""

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import APIView

from applications.selectors import application_get_for_user
from common.http import request_info
from monitoring.decisions import selectors, services
from monitoring.models import IncidentType, IncidentVerdict

from .images import PersonSerializer

_TEXT = [ProhibitNullCharactersValidator(), ProhibitSurrogateCharactersValidator()]


class VerdictInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=IncidentVerdict.Verdict.choices)
    note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", validators=_TEXT
    )


class VerdictOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    incident_id = serializers.IntegerField(source="incident_ref")
    verdict = serializers.CharField()
    note = serializers.CharField()
    verdict_by = PersonSerializer(source="decided_by", allow_null=True)
    verdict_at = serializers.DateTimeField(source="decided_at")


class NoteInputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(
        required=False, help_text="The moment it is about (default: the capture's time)."
    )
    text = serializers.CharField(max_length=2000, validators=_TEXT)
    image_id = serializers.IntegerField(
        required=False, min_value=1, help_text="A capture of this interview to pin it to."
    )

    def validate(self, attrs):
        if "at" not in attrs and "image_id" not in attrs:
            raise serializers.ValidationError(
                {"at": "Say when (at), or pin the note to a capture (image_id)."},
                code="required",
            )
        return attrs


class NoteUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, validators=_TEXT)


class NoteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    text = serializers.CharField()
    image_id = serializers.IntegerField(allow_null=True)
    author = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    editable = serializers.SerializerMethodField(
        help_text=f"Its author may still edit it (for {services.NOTE_EDIT_MINUTES} minutes)."
    )

    def get_editable(self, note) -> bool:
        return services.note_editable(note)


class IncidentVerdictApi(APIView):
    """A reviewer's verdict on one incident: `confirmed` (the flag was right) or `dismissed`
    (a false alarm: it leaves the reviewed score). Audited; reopens a decision resting on it."""

    @extend_schema(request=VerdictInputSerializer, responses={201: VerdictOutputSerializer})
    def post(self, request, application_id: int, incident_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.reviewer_check(actor=request.user)
        serializer = VerdictInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.incident_verdict_set(
            actor=request.user,
            application=application,
            incident_id=incident_id,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(VerdictOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class ReviewNoteListApi(APIView):
    """Reviewers' notes pinned to moments of the record (and captures), in time order."""

    @extend_schema(responses=NoteOutputSerializer(many=True))
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.reviewer_check(actor=request.user)
        notes = selectors.notes_for_application(application_id=application.pk)
        return Response(NoteOutputSerializer(notes, many=True).data)

    @extend_schema(request=NoteInputSerializer, responses={201: NoteOutputSerializer})
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.reviewer_check(actor=request.user)
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.review_note_add(
            actor=request.user,
            application=application,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(NoteOutputSerializer(note).data, status=status.HTTP_201_CREATED)


class ReviewNoteDetailApi(APIView):
    """Its author corrects a note within 15 minutes; then it is part of the record (409
    `note_locked`: add a new note)."""

    @extend_schema(request=NoteUpdateSerializer, responses=NoteOutputSerializer)
    def patch(self, request, application_id: int, note_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.reviewer_check(actor=request.user)
        serializer = NoteUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.review_note_edit(
            actor=request.user,
            application=application,
            note_id=note_id,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(NoteOutputSerializer(note).data)


class FlagTypeStatsSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=IncidentType.choices)
    label = serializers.CharField()
    confirmed = serializers.IntegerField(help_text="Verdicts in force: the flag was right.")
    dismissed = serializers.IntegerField(help_text="Verdicts in force: a false alarm.")
    precision = serializers.FloatField(
        allow_null=True, help_text="confirmed / (confirmed + dismissed); null without a verdict."
    )


class FlagStatsSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Verdicts given since then (90 days).")
    types = FlagTypeStatsSerializer(many=True, help_text="Every incident type, in one order.")


class FlagStatsQuerySerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Admins: one organization."
    )


class FlagStatsApi(APIView):
    """How often each automatic flag turned out right, from the reviewers' own verdicts over
    the last 90 days, in the caller's scope (a recruiter: their organization; an admin: all,
    or `?organization=`)."""

    @extend_schema(parameters=[FlagStatsQuerySerializer], responses=FlagStatsSerializer)
    def get(self, request):
        services.reviewer_check(actor=request.user)
        query = FlagStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        stats = selectors.flag_stats(
            user=request.user, organization_id=query.validated_data.get("organization")
        )
        return Response(FlagStatsSerializer(stats).data)
