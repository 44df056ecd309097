"""Identity API (DESIGN.md, "Contract additions (third wave)", Identity): the candidate's
references, the state of the check, a reviewer's decision.

Thin: parse, fetch through a scoped selector, call one service, render through a serializer.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.selectors import application_get_for_user
from common.http import request_info
from common.throttles import CountAfterAccessMixin
from monitoring.identity import selectors, services
from monitoring.models import IdentityDecision, IdentityReference

from .images import Base64Field, PersonSerializer, UploadThrottle

# --- Serializers ------------------------------------------------------------------------------


class ReferenceInputSerializer(serializers.Serializer):
    """JSON with `image_data` (base64 or a data: URL), or multipart/form-data with the file in
    `image` — as captures."""

    kind = serializers.ChoiceField(choices=IdentityReference.Kind.choices)
    image_data = Base64Field(required=False, trim_whitespace=False, allow_blank=True)
    image = serializers.FileField(required=False, allow_empty_file=True)

    def validate(self, attrs):
        given = [name for name in ("image_data", "image") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {
                    "image": "Send the photo once: image_data (base64, JSON) or image (a file, "
                    "multipart/form-data)."
                },
                code="required" if not given else "invalid",
            )
        if "image" in attrs:
            attrs["image_bytes"] = attrs.pop("image").read()
        return attrs


class MatchSerializer(serializers.Serializer):
    distance = serializers.FloatField()
    matches = serializers.BooleanField()


class ReferenceOutputSerializer(serializers.Serializer):
    """A stored reference: 201 `{"id", "kind", "face_found", "quality", "match"}`; `match` is
    the other kind's face against this one (a document against the selfie), or null."""

    id = serializers.IntegerField(source="reference.pk")
    kind = serializers.CharField(source="reference.kind")
    face_found = serializers.SerializerMethodField()
    quality = serializers.DictField(source="reference.quality")
    match = MatchSerializer(allow_null=True)

    def get_face_found(self, result) -> bool:
        return True  # a photo without a usable face is refused, never stored


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    current = serializers.SerializerMethodField()
    s3Key = serializers.CharField(source="file.name")
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    replaced_at = serializers.DateTimeField(allow_null=True)
    photo_deleted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="An ID document's photo deleted after document_retention_days: url is null.",
    )
    uploaded_by = PersonSerializer(allow_null=True)
    face = serializers.DictField()
    quality = serializers.DictField()

    def get_current(self, reference) -> bool:
        return reference.replaced_at is None

    def get_url(self, reference) -> str | None:
        return self.context["urls"][reference.pk]


class EarlierInterviewSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    job = serializers.CharField()
    date = serializers.DateTimeField(help_text="When that interview's selfie was taken.")
    distance = serializers.FloatField()
    matches = serializers.BooleanField()


class IdentityOutputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["not_required", "unverified", "verified", "mismatch", "confirmed", "rejected"]
    )
    check = serializers.CharField(help_text="The organization's identity_check.")
    threshold = serializers.FloatField()
    references = serializers.SerializerMethodField()
    document_match = MatchSerializer(allow_null=True)
    frames_checked = serializers.IntegerField(
        help_text="The candidate's camera frames with a face, compared with the selfie."
    )
    frames_matching = serializers.IntegerField()
    last_distance = serializers.FloatField(allow_null=True)
    decision = serializers.CharField(source="decision.decision", allow_null=True, default=None)
    note = serializers.CharField(source="decision.note", allow_null=True, default=None)
    confirmed_by = PersonSerializer(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    earlier_interviews = EarlierInterviewSerializer(many=True)

    def get_references(self, status_) -> list[dict]:
        return ReferenceSerializer(status_.references, many=True, context=self.context).data


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=IdentityDecision.Decision.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DecisionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decision = serializers.CharField()
    note = serializers.CharField()
    decided_by = PersonSerializer(allow_null=True)
    decided_at = serializers.DateTimeField()


# --- Views ------------------------------------------------------------------------------------


def _identity_answer(request, application) -> dict:
    result = selectors.identity_status(application=application)
    urls = services.identity_reference_urls(
        actor=request.user, references=result.references, info=request_info(request)
    )
    return IdentityOutputSerializer(result, context={"urls": urls}).data


class IdentityApi(CountAfterAccessMixin, APIView):
    """The candidate's references (POST: the candidate; GET: the candidate and reviewers)."""

    throttle_classes = [UploadThrottle]

    @extend_schema(responses=IdentityOutputSerializer)
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        return Response(_identity_answer(request, application))

    @extend_schema(request=ReferenceInputSerializer, responses={201: ReferenceOutputSerializer})
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.identity_submit_check(actor=request.user, application=application)  # unparsed
        self.count_request(request)
        serializer = ReferenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.identity_reference_submit(
            actor=request.user,
            application=application,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(ReferenceOutputSerializer(result).data, status=status.HTTP_201_CREATED)


class IdentityConfirmApi(APIView):
    """A reviewer's decision: `{"decision": "confirmed" | "rejected", "note"}` (audited)."""

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionOutputSerializer})
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.identity_decide(
            actor=request.user,
            application=application,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(DecisionOutputSerializer(row).data, status=status.HTTP_201_CREATED)
