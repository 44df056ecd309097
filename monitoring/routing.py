from django.urls import path

from .consumers import TimelineConsumer

websocket_urlpatterns = [
    path("ws/monitoring/timeline/<int:application_id>/", TimelineConsumer.as_asgi()),
]
