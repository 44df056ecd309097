import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa.services import has_second_factor, second_factor_required, second_factor_verify
from accounts.services import token_issue, token_revoke
from accounts.signin import address_blocked
from accounts.sso.selectors import password_signin_refusal
from common.errors import NotAllowed, ServiceError
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


@extend_schema_serializer(component_name="AuthToken")  # the name clients were generated with
class TokenInputSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text="For an account with a second factor: the six digits its authenticator app "
        "shows, or one of its recovery codes (spent).",
    )


class TokenApi(APIView):
    """`POST /api/auth/token/` with `username`, `password` and, for an account with a second
    factor, `otp` → `{"token", "expires_at"}`; `DELETE /api/auth/token/` revokes the caller's
    token (204).

    Without `otp`, an account with a second factor answers 401 `otp_required`; a wrong code
    401 `otp_invalid` (repeated wrong codes wait longer each time: 429 `rate_limited`). Staff
    of an organization that requires single sign-on get no token for a password (403
    `sso_required`); staff whose organization requires a second factor they have not set up
    403 `second_factor_setup_required` (set it up on the page first).

    Tokens expire after API_TOKEN_TTL seconds (then 401 `token_expired`: ask again) and are
    replaced when the password changes. Token requests are limited per address; one username
    locks from one address after AXES_FAILURE_LIMIT failures (429 `locked_out`).
    """

    throttle_classes = [TokenThrottle]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self):
        # Asking for a token reads no credentials: neither a (possibly expired) token nor a
        # session (so no CSRF check either); the body's username and password are the ones.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=TokenInputSerializer, responses=TokenOutputSerializer)
    def post(self, request):
        wait = address_blocked(request)
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        # The Django request (not DRF's wrapper): the lockout marks it for axes' middleware.
        serializer = TokenInputSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        refusal = password_signin_refusal(user)
        if refusal:
            raise NotAllowed(refusal, code="sso_required")
        if has_second_factor(user):
            self._check_second_factor(user, serializer.validated_data.get("otp", ""))
        elif second_factor_required(user):
            raise NotAllowed(
                "Your organization requires a second factor: set it up after signing in on "
                "the page (/accounts/second-factor/), then ask for a token with its code.",
                code="second_factor_setup_required",
            )
        token = token_issue(user=user)
        return Response(TokenOutputSerializer(token).data)

    @staticmethod
    def _check_second_factor(user, code: str) -> None:
        if not code:
            raise ServiceError(
                "This account has a second factor: send its current code as `otp`.",
                code="otp_required",
                status=401,
            )
        result = second_factor_verify(user=user, code=code)
        if result.locked_until is not None:
            wait = max(1, math.ceil((result.locked_until - timezone.now()).total_seconds()))
            raise ServiceError(
                "Too many wrong codes: wait, then try again.",
                code="rate_limited",
                status=429,
                retry_after=wait,
            )
        if result.device is None:
            raise ServiceError(
                "That code is not right: send the code the authenticator app shows now, or a "
                "recovery code.",
                code="otp_invalid",
                status=401,
            )

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
