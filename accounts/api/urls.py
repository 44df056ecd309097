from django.urls import path

from .views import MeApi, TokenApi

urlpatterns = [
    path("token/", TokenApi.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
]
