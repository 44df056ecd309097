from datetime import timedelta

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import token_issue, token_revoke
from accounts.signin import address_blocked
from common.http import client_ip
from common.throttles import LimitsThrottle


class TokenThrottle(LimitsThrottle):
    """Token requests per address (RATE_LIMIT_TOKEN)."""

    scope = "token"
    methods = ("POST", "DELETE")

    def key(self, request, view) -> tuple:
        return (client_ip(request),)

    def rate(self, request, view) -> str:
        return settings.RATE_LIMIT_TOKEN


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(source="key")
    expires_at = serializers.SerializerMethodField()

    def get_expires_at(self, token) -> str:
        return serializers.DateTimeField().to_representation(
            token.created + timedelta(seconds=settings.API_TOKEN_TTL)
        )


class TokenApi(APIView):
    """`POST /api/auth/token/` with `username` and `password` → `{"token", "expires_at"}`;
    `DELETE /api/auth/token/` revokes the caller's token (204).

    Tokens expire after API_TOKEN_TTL seconds (then 401 `token_expired`: ask again) and are
    replaced when the password changes. Token requests are limited per address; one username
    locks from one address after AXES_FAILURE_LIMIT failures (429 `locked_out`).
    """

    throttle_classes = [TokenThrottle]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def perform_authentication(self, request):
        if request.method != "POST":  # asking for a token needs no (possibly expired) token
            super().perform_authentication(request)

    @extend_schema(request=AuthTokenSerializer, responses=TokenOutputSerializer)
    def post(self, request):
        wait = address_blocked(request)
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        # The Django request (not DRF's wrapper): the lockout marks it for axes' middleware.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        token = token_issue(user=serializer.validated_data["user"])
        return Response(TokenOutputSerializer(token).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in user, as the pages' scripts need it."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        name = serializers.CharField(source="display_name")
        role = serializers.CharField()
        organization = serializers.CharField(
            source="organization.name", default=None, allow_null=True
        )

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)
