from django.urls import path

from .views import MeApi, TokenObtainApi

urlpatterns = [
    path("token/", TokenObtainApi.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
]
