from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView


class TokenObtainApi(ObtainAuthToken):
    """`POST /api/auth/token/` with `username` and `password` → `{"token": …}`."""

    authentication_classes: list = []
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # the bounded JSON parser too

    @extend_schema(
        request=inline_serializer(
            "TokenObtainInput",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("TokenObtainOutput", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeApi(APIView):
    """The signed-in user, as the pages' scripts need it."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        name = serializers.CharField(source="display_name")
        role = serializers.CharField()
        organization = serializers.CharField(source="organization.name", default=None)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)
