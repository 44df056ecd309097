"""Monitoring images API (DESIGN.md, "Monitoring images"): upload, list, delete, sign.

Thin: parse, fetch through a scoped selector, call one service, render through a serializer.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import APIView

from applications.models import JobApplication
from applications.selectors import application_get_for_user
from applications.services import recording_check
from common.errors import NotFound
from common.http import request_info
from common.throttles import CountAfterAccessMixin, LimitsThrottle
from monitoring.analysis.services import capture_dry_run
from monitoring.audit.services import access_log
from monitoring.images import selectors, services
from monitoring.images.selectors import LISTING_MAX
from monitoring.models import AccessEvent, ImageType

# --- Serializers ------------------------------------------------------------------------------


class Base64Field(serializers.CharField):
    """A long base64 string. DRF's CharField checks every character in Python for NUL and
    surrogates (~20 ms for a 133 KB frame, measured in bench/ingest.py); the strict base64
    check of monitoring.images.codec refuses those characters anyway, so they are skipped."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]


class UploadInputSerializer(serializers.Serializer):
    """JSON with `image_data` (base64, the seed's contract), or multipart/form-data with the
    file in `image` (what the page sends: a third smaller, no base64 to decode)."""

    image_type = serializers.ChoiceField(choices=ImageType.choices)
    image_data = Base64Field(
        required=False,
        trim_whitespace=False,
        allow_blank=True,
        help_text="Base64 or a data: URL of a JPEG, PNG or WebP image (JSON bodies).",
    )
    image = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="The image file (multipart/form-data bodies): JPEG, PNG or WebP.",
    )
    client_id = serializers.UUIDField(required=False, help_text="Idempotency key from the page.")
    captured_at = serializers.DateTimeField(
        required=False, help_text="When the capture was taken (≤ 5 min ahead, ≤ 24 h old)."
    )
    dry_run = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Analyse and answer, store nothing (the candidate's system check; any "
        "status, consent not needed, rate-limited): 200 `{dry_run, analysis}`, no `s3Key`.",
    )

    def validate(self, attrs):
        given = [name for name in ("image_data", "image") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {
                    "image": "Send the capture once: image_data (base64, JSON) or image (a "
                    "file, multipart/form-data)."
                },
                code="required" if not given else "invalid",
            )
        if "image" in attrs:
            attrs["image_bytes"] = attrs.pop("image").read()
        return attrs


class JsonUploadSerializer(UploadInputSerializer):
    """An upload as JSON: the image in `image_data`, base64 (the seed's contract).

    (For the schema: the view reads both kinds of body with UploadInputSerializer.)"""

    image = None
    image_data = Base64Field(
        trim_whitespace=False,
        allow_blank=True,
        help_text="Base64 or a data: URL of a JPEG, PNG or WebP image.",
    )


class MultipartUploadSerializer(UploadInputSerializer):
    """An upload as multipart/form-data: the image file in `image` (what the page sends: a
    third smaller than base64, nothing to decode)."""

    image_data = None
    image = serializers.FileField(
        allow_empty_file=True, help_text="The image file: JPEG, PNG or WebP."
    )


class UploadOutputSerializer(serializers.Serializer):
    """An UploadResult: the stored image, or the one first stored under the same client_id."""

    success = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    s3Key = serializers.CharField(source="image.file.name")
    timestamp = serializers.DateTimeField(source="image.captured_at")
    id = serializers.IntegerField(source="image.pk")

    def get_success(self, result) -> bool:
        return True

    def get_message(self, result) -> str:
        return "Image stored." if result.created else "Already stored (same client_id)."


class DryRunAnalysisSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    face_count = serializers.IntegerField(required=False, help_text="Camera frames.")
    brightness = serializers.FloatField(required=False, help_text="Camera frames, 0–255.")
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="Camera frames: `camera_covered`, `no_face`, `multiple_faces`.",
    )


class DryRunOutputSerializer(serializers.Serializer):
    """A dry run: what the server saw; nothing was stored."""

    dry_run = serializers.BooleanField()
    analysis = DryRunAnalysisSerializer()
    server_time = serializers.DateTimeField(
        help_text="The server's clock when it answered (the check page's clock offset)."
    )


class PersonSerializer(serializers.Serializer):
    """Who sent a capture or an event."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class AnalysisSerializer(serializers.Serializer):
    """What the server saw in a capture (DESIGN.md): camera frames carry `face_count` and
    `brightness`, screen captures `change_fraction`."""

    face_count = serializers.IntegerField(required=False, allow_null=True)
    brightness = serializers.FloatField(
        required=False, allow_null=True, help_text="Grey mean, 0–255 (camera frames)."
    )
    change_fraction = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="Share of pixels changed since the previous screen capture.",
    )
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="Camera frames: `camera_covered`, `frozen_frame`, `no_face`, "
        "`multiple_faces` (more may be added); screen captures: none.",
    )


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    s3Key = serializers.CharField(source="file.name")
    timestamp = serializers.DateTimeField(source="captured_at")
    received_at = serializers.DateTimeField(help_text="The server's receive time.")
    late = serializers.BooleanField(
        help_text="Received more than 2× the interval + MONITORING_LATE_SLACK after capture."
    )
    clock_adjusted = serializers.BooleanField(
        help_text="The page dated it ahead of the server's clock: `timestamp` is the receive time."
    )
    uploaded_by = PersonSerializer(allow_null=True)
    image_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    byte_size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    analysis = serializers.SerializerMethodField()
    identity = serializers.SerializerMethodField()

    def get_identity(self, obj) -> dict | None:
        """Camera frames compared with the candidate's selfie: the closest face's distance and
        whether it is the candidate (`matches`: null when no face was seen); null until
        compared (no selfie yet, not the candidate's capture, identity off)."""
        try:
            result = obj.analysis
        except ObjectDoesNotExist:
            return None
        if obj.image_type != ImageType.CAMERA or result.identity_reference_id is None:
            return None
        matches = None if result.identity_distance is None else not result.identity_mismatch
        return {"distance": result.identity_distance, "matches": matches}

    @extend_schema_field(AnalysisSerializer(allow_null=True))
    def get_analysis(self, obj) -> dict | None:
        """DESIGN.md: null until computed; camera {face_count, brightness, flags}, screen
        {change_fraction, flags: []}."""
        try:
            result = obj.analysis
        except ObjectDoesNotExist:
            return None
        if obj.image_type == ImageType.SCREEN:
            return {"change_fraction": result.change_fraction, "flags": []}
        return {
            "face_count": result.face_count,
            "brightness": result.brightness,
            "flags": result.flags,
        }


class DeletedCaptureSerializer(serializers.Serializer):
    """Where a reviewer deleted a capture: the slot stays in the record."""

    id = serializers.IntegerField()
    image_type = serializers.CharField()
    timestamp = serializers.DateTimeField(source="captured_at", help_text="When it was taken.")
    deleted_by = PersonSerializer(allow_null=True)
    deleted_at = serializers.DateTimeField()
    by_candidate = serializers.BooleanField(help_text="It was the candidate's own capture.")


class TimelineSerializer(serializers.Serializer):
    camera = ImageSerializer(many=True)
    screen = ImageSerializer(many=True)
    deleted = DeletedCaptureSerializer(
        many=True, help_text="Captures a reviewer deleted (never counted against the candidate)."
    )


class TimelineQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=LISTING_MAX, default=LISTING_MAX
    )


class SignedUrlQuerySerializer(serializers.Serializer):
    s3_key = serializers.CharField(max_length=255)


class SignedUrlOutputSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_in = serializers.IntegerField()


class SignedUrlsInputSerializer(serializers.Serializer):
    s3_keys = serializers.ListField(
        child=serializers.CharField(max_length=255), max_length=200, allow_empty=True
    )


class SignedUrlsOutputSerializer(serializers.Serializer):
    urls = serializers.DictField(child=serializers.CharField())
    expires_in = serializers.IntegerField()


# --- Views ------------------------------------------------------------------------------------

# The schema's example upload (what /api/docs/ fills in, and what the contract fuzzer sends).
EXAMPLE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAMCAIAAADkharWAAAAF0lEQVR42mOMqpjGQApgYiARjGoYKRoAVd0BgOwTOC8"
    "AAAAASUVORK5CYII="
)


class UploadThrottle(LimitsThrottle):
    """Uploads per application and type: a burst of RATE_LIMIT_UPLOAD_BURST (a queue drained
    after an outage passes), then 4× the application's capture rate. Counted only once the
    caller may record there (CountAfterAccessMixin)."""

    scope = "upload"

    def key(self, request, view) -> tuple:
        image_type = request.data.get("image_type") if hasattr(request.data, "get") else None
        kind = image_type if image_type in ImageType.values else "other"
        return (view.kwargs["application_id"], kind)

    def rate(self, request, view) -> str:
        application = getattr(view, "application", None)  # found by the view: no re-read
        if application is not None:
            intervals = (application.camera_interval, application.screen_interval)
        else:
            intervals = (
                JobApplication.objects.filter(pk=view.kwargs["application_id"])
                .values_list("camera_interval", "screen_interval")
                .first()
            )
        camera, screen = intervals or (30, 30)
        interval = screen if self.key(request, view)[1] == ImageType.SCREEN else camera
        burst = settings.RATE_LIMIT_UPLOAD_BURST
        return f"{burst} per {max(1, round(burst * interval / 4))} seconds"


class DryRunThrottle(LimitsThrottle):
    """Dry runs per candidate (the check page's test frames and timed uploads)."""

    scope = "dry_run"

    def key(self, request, view) -> tuple:
        return (request.user.pk,)

    def rate(self, request, view) -> str:
        return settings.RATE_LIMIT_DRY_RUN


def _is_dry_run(request) -> bool:
    value = request.data.get("dry_run") if hasattr(request.data, "get") else None
    return value is True or str(value).lower() in ("true", "1")


class MonitoringImageListApi(CountAfterAccessMixin, APIView):
    throttle_classes = [UploadThrottle]

    @extend_schema(parameters=[TimelineQuerySerializer], responses=TimelineSerializer)
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        timeline = selectors.image_timeline(application_id=application.pk, **query.validated_data)
        access_log(
            actor=request.user,
            action=AccessEvent.Action.LISTED,
            info=request_info(request),
            application_id=application.pk,
        )
        return Response(TimelineSerializer(timeline).data)

    @extend_schema(
        request={
            "application/json": JsonUploadSerializer,
            "multipart/form-data": MultipartUploadSerializer,
        },
        responses={
            201: UploadOutputSerializer,
            200: PolymorphicProxySerializer(
                component_name="UploadAgainOrDryRun",
                serializers=[UploadOutputSerializer, DryRunOutputSerializer],
                resource_type_field_name=None,
            ),
        },
        examples=[
            OpenApiExample(
                "CameraCapture",
                summary="A camera capture (base64 PNG, 16×12)",
                value={"image_type": "camera", "image_data": EXAMPLE_PNG},
                request_only=True,
                media_type="application/json",
            )
        ],
    )
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        if _is_dry_run(request):
            return self._dry_run(request, application)
        # Before the body is even parsed (an ended interview's queue may still drain).
        recording_check(application=application, draining=True)
        self.application = application  # the throttle's rate reads its intervals
        self.count_request(request)
        serializer = UploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("dry_run", None)  # false here
        result = services.monitoring_image_upload(
            actor=request.user, application=application, recording_checked=True, **data
        )
        return Response(
            UploadOutputSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    def _dry_run(self, request, application):
        """Analysed and forgotten: no object, no row (the check page). Counted per candidate,
        apart from the uploads of the interview."""
        throttle = DryRunThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        serializer = UploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        analysis = capture_dry_run(
            actor=request.user,
            application=application,
            image_type=data["image_type"],
            image_data=data.get("image_data"),
            image_bytes=data.get("image_bytes"),
        )
        body = {"dry_run": True, "analysis": analysis, "server_time": timezone.now()}
        return Response(DryRunOutputSerializer(body).data, status=status.HTTP_200_OK)


class MonitoringImageDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, application_id: int, image_id: int):
        image = selectors.image_get_for_user(
            user=request.user, application_id=application_id, image_id=image_id
        )
        services.monitoring_image_delete(
            actor=request.user, image=image, info=request_info(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignedUrlApi(APIView):
    """One signed, expiring URL for an image the caller may see (else 404, no URL)."""

    @extend_schema(parameters=[SignedUrlQuerySerializer], responses=SignedUrlOutputSerializer)
    def get(self, request):
        query = SignedUrlQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        key = query.validated_data["s3_key"]
        image = selectors.images_by_keys_for_user(user=request.user, keys=[key]).get(key)
        if image is None:
            raise NotFound("Image not found.", code="image_not_found")
        urls = services.signed_urls_issue(
            actor=request.user, images=[image], info=request_info(request)
        )
        return Response(
            SignedUrlOutputSerializer(
                {"url": urls[key], "expires_in": settings.SIGNED_URL_EXPIRES}
            ).data
        )


class SignedUrlsApi(APIView):
    """Signed URLs for up to 200 keys; the answer holds only the keys the caller may see."""

    @extend_schema(request=SignedUrlsInputSerializer, responses=SignedUrlsOutputSerializer)
    def post(self, request):
        serializer = SignedUrlsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        images = selectors.images_by_keys_for_user(
            user=request.user, keys=serializer.validated_data["s3_keys"]
        )
        urls = services.signed_urls_issue(
            actor=request.user, images=list(images.values()), info=request_info(request)
        )
        return Response(
            SignedUrlsOutputSerializer(
                {"urls": urls, "expires_in": settings.SIGNED_URL_EXPIRES}
            ).data
        )
