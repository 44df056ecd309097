"""What the interview page reports: focus, visibility and screen-sharing events."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.selectors import application_get_for_user
from common.listing import SinceLimitQuerySerializer
from common.throttles import CountAfterAccessMixin, LimitsThrottle
from monitoring.interview import selectors, services
from monitoring.models import MonitoringEvent

from .images import PersonSerializer


class EventInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[
            (value, label)
            for value, label in MonitoringEvent.Type.choices
            if value not in MonitoringEvent.SERVER_TYPES
        ],
        help_text="What the page observed (virtual_camera is the server's to record, from "
        "the camera-on's device_label).",
    )
    occurred_at = serializers.DateTimeField(required=False)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(help_text="The server's receive time.")
    late = serializers.BooleanField(help_text="Received more than MONITORING_LATE_SLACK after.")
    clock_adjusted = serializers.BooleanField(
        help_text="The page dated it ahead of the server's clock: occurred_at is the receive time."
    )
    sender = PersonSerializer(allow_null=True)
    detail = serializers.CharField()


class EventThrottle(LimitsThrottle):
    """Page events per application (RATE_LIMIT_EVENTS), counted once the caller may report
    there (CountAfterAccessMixin)."""

    scope = "events"

    def key(self, request, view) -> tuple:
        return (view.kwargs["application_id"],)

    def rate(self, request, view) -> str:
        return settings.RATE_LIMIT_EVENTS


class MonitoringEventListApi(CountAfterAccessMixin, APIView):
    """What the interview page observed. POST by the candidate's page; GET by anyone who may
    see the application (oldest first, a page of `limit` after `since`)."""

    throttle_classes = [EventThrottle]

    @extend_schema(parameters=[SinceLimitQuerySerializer], responses=EventSerializer(many=True))
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        query = SinceLimitQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.events_for_application(
            application_id=application.pk, **query.validated_data
        )
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(request=EventInputSerializer, responses={201: EventSerializer})
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.monitoring_event_check(actor=request.user, application=application)
        self.count_request(request)
        serializer = EventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.monitoring_event_record(
            actor=request.user, application=application, **serializer.validated_data
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)
