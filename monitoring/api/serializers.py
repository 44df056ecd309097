from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from monitoring.models import ImageType, MonitoringEvent
from monitoring.selectors import LISTING_MAX


class Base64Field(serializers.CharField):
    """A long base64 string. DRF's CharField checks every character in Python for NUL and
    surrogates (~20 ms for a 133 KB frame, measured in bench/ingest.py); the strict base64
    check of monitoring.imaging refuses those characters anyway, so they are skipped here."""

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
    image_type = serializers.ChoiceField(choices=ImageType.choices)
    image_data = Base64Field(
        trim_whitespace=False,
        allow_blank=True,
        help_text="Base64 or a data: URL of a JPEG, PNG or WebP image.",
    )
    client_id = serializers.UUIDField(required=False, help_text="Idempotency key from the page.")
    captured_at = serializers.DateTimeField(
        required=False, help_text="When the capture was taken (≤ 5 min ahead, ≤ 24 h old)."
    )


class UploadOutputSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    s3Key = serializers.CharField()
    timestamp = serializers.DateTimeField()
    id = serializers.IntegerField()


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    s3Key = serializers.CharField(source="file.name")
    timestamp = serializers.DateTimeField(source="captured_at")
    image_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    byte_size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    analysis = serializers.SerializerMethodField()

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


class TimelineSerializer(serializers.Serializer):
    camera = ImageSerializer(many=True)
    screen = ImageSerializer(many=True)


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


class EventInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=MonitoringEvent.Type.choices)
    occurred_at = serializers.DateTimeField(required=False)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    detail = serializers.CharField()
