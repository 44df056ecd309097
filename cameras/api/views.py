from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.permissions import IsRecruiterOrAdmin
from applications.selectors import application_get_for_user
from cameras import selectors, services
from cameras.presence import batcher
from common.errors import NotAllowed
from common.listing import SinceLimitQuerySerializer

from .serializers import (
    CameraEventSerializer,
    CameraStatusInputSerializer,
    CameraStatusOutputSerializer,
    StreamSerializer,
)


class CameraStatusApi(APIView):
    """Turn the caller's own camera on or off; the same call with `is_active: true` is a
    heartbeat. The stream is always the caller's: a body `user_id` naming anyone else is
    refused with 403 and changes nothing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CameraStatusInputSerializer, responses=CameraStatusOutputSerializer)
    def post(self, request):
        serializer = CameraStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        if "user_id" in data and data["user_id"] != user.pk:
            raise NotAllowed("You can only change your own camera status.", code="not_own_stream")
        now = timezone.now()
        status = {"user_id": user.pk, "is_active": data["is_active"], "last_updated": now}
        heartbeats = batcher()
        if not data["is_active"]:
            heartbeats.unconfirm(user.pk)
        elif heartbeats.accept_http(user.pk, data.get("application_id")):
            # A stream this process found live moments ago: batched, one UPDATE a second.
            return Response(CameraStatusOutputSerializer(status).data)
        application = None
        if "application_id" in data:
            application = application_get_for_user(user=user, application_id=data["application_id"])
        stream = services.camera_stream_set_status(
            user=user,
            is_active=data["is_active"],
            application=application,
            now=now,
            device_label=data["device_label"],
        )
        if data["is_active"]:
            attached = stream.application_id if stream is not None else data.get("application_id")
            heartbeats.confirm(user.pk, attached)
        return Response(CameraStatusOutputSerializer(status).data)


class ActiveStreamsApi(APIView):
    """Streams that are on and fresh (heartbeat younger than CAMERA_STREAM_TIMEOUT), scoped:
    recruiters see their organization's candidates, admins everyone."""

    permission_classes = [IsRecruiterOrAdmin]

    @extend_schema(responses=StreamSerializer(many=True))
    def get(self, request):
        streams = selectors.active_streams_for_user(user=request.user)
        return Response(StreamSerializer(streams, many=True).data)


class CameraEventListApi(APIView):
    """When the candidate's camera went on, off or silent during this interview: oldest first,
    a page of `limit` after `since`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[SinceLimitQuerySerializer], responses=CameraEventSerializer(many=True)
    )
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        query = SinceLimitQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.camera_events_for_application(
            application_id=application.pk, **query.validated_data
        )
        return Response(CameraEventSerializer(events, many=True).data)
