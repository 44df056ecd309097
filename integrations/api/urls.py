from django.urls import path

from .views import WebhookEndpointDetailApi, WebhookEndpointListApi, WebhookEndpointTestApi

urlpatterns = [
    path("webhook-endpoints/", WebhookEndpointListApi.as_view(), name="api-webhook-endpoints"),
    path(
        "webhook-endpoints/<int:endpoint_id>/",
        WebhookEndpointDetailApi.as_view(),
        name="api-webhook-endpoint-detail",
    ),
    path(
        "webhook-endpoints/<int:endpoint_id>/test/",
        WebhookEndpointTestApi.as_view(),
        name="api-webhook-endpoint-test",
    ),
]
