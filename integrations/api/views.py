"""Thin API views: parse, call one selector or service, render."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from applications.permissions import IsRecruiterOrAdmin
from common.throttles import LimitsThrottle
from integrations import selectors, services

from .serializers import (
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointOutputSerializer,
    EndpointTestSerializer,
    EndpointUpdateSerializer,
)


class WebhookEndpointListApi(APIView):
    """The organization's webhook endpoints (admins: every organization's). POST answers the
    secret, once; 400 `url_not_allowed` for a URL that may not be called."""

    permission_classes = [IsRecruiterOrAdmin]
    pagination_class = PageNumberPagination  # the schema documents the page from it

    @extend_schema(responses=EndpointOutputSerializer(many=True))
    def get(self, request):
        qs = selectors.webhook_endpoints_for_user(user=request.user).order_by("id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(EndpointOutputSerializer(page, many=True).data)

    @extend_schema(request=EndpointInputSerializer, responses={201: EndpointCreatedSerializer})
    def post(self, request):
        serializer = EndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization_id = data.pop("organization_id", None)
        organization = (
            get_object_or_404(Organization, pk=organization_id) if organization_id else None
        )
        endpoint = services.endpoint_create(actor=request.user, organization=organization, **data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailApi(APIView):
    permission_classes = [IsRecruiterOrAdmin]

    @extend_schema(responses=EndpointOutputSerializer)
    def get(self, request, endpoint_id: int):
        endpoint = selectors.webhook_endpoint_get_for_user(
            user=request.user, endpoint_id=endpoint_id
        )
        return Response(EndpointOutputSerializer(endpoint).data)

    @extend_schema(request=EndpointUpdateSerializer, responses=EndpointOutputSerializer)
    def patch(self, request, endpoint_id: int):
        endpoint = selectors.webhook_endpoint_get_for_user(
            user=request.user, endpoint_id=endpoint_id
        )
        serializer = EndpointUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(
            actor=request.user, endpoint=endpoint, data=serializer.validated_data
        )
        return Response(EndpointOutputSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request, endpoint_id: int):
        endpoint = selectors.webhook_endpoint_get_for_user(
            user=request.user, endpoint_id=endpoint_id
        )
        services.endpoint_delete(actor=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


TEST_RATE = "10/minute"


class EndpointTestThrottle(LimitsThrottle):
    """Each test is a request our servers make to somewhere else: at most 10 a minute per
    person (429 `rate_limited`), so the action cannot be turned into a flood."""

    scope = "webhook_test"

    def key(self, request, view) -> tuple:
        return (request.user.pk,)

    def rate(self, request, view) -> str:
        return TEST_RATE


class WebhookEndpointTestApi(APIView):
    """Send a signed `webhook.test` event to the endpoint now, once, and answer how it went
    (200 either way: `delivered`, the status, the time, the start of the answer); 10 a minute
    per person."""

    permission_classes = [IsRecruiterOrAdmin]
    throttle_classes = [EndpointTestThrottle]

    @extend_schema(request=None, responses=EndpointTestSerializer)
    def post(self, request, endpoint_id: int):
        endpoint = selectors.webhook_endpoint_get_for_user(
            user=request.user, endpoint_id=endpoint_id
        )
        attempt = services.endpoint_test(actor=request.user, endpoint=endpoint)
        return Response(EndpointTestSerializer(attempt).data)
