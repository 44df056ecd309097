from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false, nothing else ("yes", 1 and "true" are refused)."""

    default_error_messages = {"invalid": "Must be a JSON boolean (true or false)."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")


class CameraStatusInputSerializer(serializers.Serializer):
    is_active = StrictBooleanField()
    user_id = serializers.IntegerField(
        required=False, help_text="Optional; must be the caller's own id (seed compatibility)."
    )
    application_id = serializers.IntegerField(
        required=False, help_text="The caller's own application this stream belongs to."
    )
    device_label = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="The active camera's MediaDeviceInfo.label, sent with camera-on: the server "
        "decides whether it is a virtual camera (IDENTITY_VIRTUAL_CAMERA_LABELS).",
    )


class CameraStatusOutputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    is_active = serializers.BooleanField()
    last_updated = serializers.DateTimeField()


class StreamSerializer(serializers.Serializer):
    """A CameraStream as `GET /api/camera/active-streams` lists it (DESIGN.md)."""

    user_id = serializers.IntegerField()
    name = serializers.CharField(source="user.display_name")
    username = serializers.CharField(source="user.username")
    is_active = serializers.BooleanField()
    last_updated = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    application_id = serializers.IntegerField(allow_null=True)


class CameraEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    occurred_at = serializers.DateTimeField()
