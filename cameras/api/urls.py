from django.urls import re_path

from .views import ActiveStreamsApi, CameraStatusApi

# The seed's slash-less paths answer with and without a trailing slash.
urlpatterns = [
    re_path(r"^camera/status/?$", CameraStatusApi.as_view(), name="api-camera-status"),
    re_path(
        r"^camera/active-streams/?$", ActiveStreamsApi.as_view(), name="api-camera-active-streams"
    ),
]
