from django.urls import path, re_path

from .views import ActiveStreamsApi, CameraEventListApi, CameraStatusApi

# The seed's slash-less paths answer with and without a trailing slash.
urlpatterns = [
    path(
        "applications/<int:application_id>/camera-events/",
        CameraEventListApi.as_view(),
        name="api-camera-events",
    ),
    re_path(r"^camera/status/?$", CameraStatusApi.as_view(), name="api-camera-status"),
    re_path(
        r"^camera/active-streams/?$", ActiveStreamsApi.as_view(), name="api-camera-active-streams"
    ),
]
