"""Monitoring images API (DESIGN.md, "Monitoring images"). Thin: parse, select, call a service."""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import NotFound
from applications.selectors import application_get_for_user
from monitoring import integrity, selectors, services
from monitoring.exports import timeline_csv
from monitoring.integrity_service import integrity_recompute
from monitoring.models import AccessEvent

from .serializers import (
    EventInputSerializer,
    EventSerializer,
    ImageSerializer,
    SignedUrlOutputSerializer,
    SignedUrlQuerySerializer,
    SignedUrlsInputSerializer,
    SignedUrlsOutputSerializer,
    TimelineQuerySerializer,
    TimelineSerializer,
    UploadInputSerializer,
    UploadOutputSerializer,
)


def request_info(request) -> services.RequestInfo:
    return services.RequestInfo(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


class MonitoringImageListApi(APIView):
    @extend_schema(parameters=[TimelineQuerySerializer], responses=TimelineSerializer)
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        timeline = selectors.image_timeline(application_id=application.pk, **query.validated_data)
        services.access_log(
            actor=request.user,
            action=AccessEvent.Action.LISTED,
            info=request_info(request),
            application_id=application.pk,
        )
        return Response(
            {kind: ImageSerializer(rows, many=True).data for kind, rows in timeline.items()}
        )

    @extend_schema(
        request=UploadInputSerializer,
        responses={201: UploadOutputSerializer, 200: UploadOutputSerializer},
    )
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.check_can_upload(application=application)
        serializer = UploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.monitoring_image_upload(
            actor=request.user, application=application, **serializer.validated_data
        )
        image = result.image
        return Response(
            {
                "success": True,
                "message": "Image stored."
                if result.created
                else "Already stored (same client_id).",
                "s3Key": image.file.name,
                "timestamp": _iso(image.captured_at),
                "id": image.pk,
            },
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


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
        return Response({"url": urls[key], "expires_in": settings.SIGNED_URL_EXPIRES})


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
        return Response({"urls": urls, "expires_in": settings.SIGNED_URL_EXPIRES})


class MonitoringEventListApi(APIView):
    """What the interview page observed. POST by the candidate's page; GET by anyone who may
    see the application (oldest first)."""

    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        events = selectors.events_for_application(application_id=application.pk)
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(request=EventInputSerializer, responses={201: EventSerializer})
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        serializer = EventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.monitoring_event_record(
            actor=request.user, application=application, **serializer.validated_data
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class InterviewFinishApi(APIView):
    """The candidate finishes the interview: status → completed, camera off on every board."""

    @extend_schema(request=None, responses={200: None})
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        application = services.interview_finish(actor=request.user, application=application)
        return Response(
            {
                "id": application.pk,
                "status": application.status,
                "completed_at": application.completed_at,
            }
        )


def _incident_row(incident) -> dict:
    return {
        "type": incident.type,
        "label": integrity.LABELS[incident.type],
        "started_at": _iso(incident.started_at),
        "ended_at": _iso(incident.ended_at),
        "duration_seconds": round(incident.duration_seconds, 1),
        "ongoing": incident.ongoing,
        "frame_count": incident.frame_count,
        "image_ids": incident.image_ids,
        "reason": incident.reason,
    }


class IntegrityApi(APIView):
    """The integrity summary: score, the weights and rules used, counts and durations per
    type, and every incident (recomputed on read)."""

    @extend_schema(responses={200: None})
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        result = integrity_recompute(application_id=application.pk)
        rules = result["rules"]
        return Response(
            {
                "application_id": application.pk,
                "score": result["score"],
                "weights": rules.weights,
                "rules": {
                    "sustain_frames": rules.sustain_frames,
                    "sustain_seconds": rules.sustain_seconds,
                    "tab_hidden_seconds": rules.tab_hidden_seconds,
                    "window_blur_seconds": rules.window_blur_seconds,
                },
                "summary": {
                    kind: {**entry, "duration_seconds": round(entry["duration_seconds"], 1)}
                    for kind, entry in result["summary"].items()
                },
                "incidents": [_incident_row(i) for i in result["incidents"]],
            }
        )


class TimelineCsvApi(APIView):
    """CSV of the interview: one row per capture and one per incident, in time order."""

    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        services.access_log(
            actor=request.user,
            action=AccessEvent.Action.LISTED,
            info=request_info(request),
            application_id=application.pk,
        )
        response = HttpResponse(
            timeline_csv(application_id=application.pk), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="interview-{application.pk}-timeline.csv"'
        )
        return response
