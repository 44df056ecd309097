from django.urls import path

from .consumers import LiveBoardConsumer, PresenceConsumer

websocket_urlpatterns = [
    path("ws/camera/streams/", LiveBoardConsumer.as_asgi()),
    path("ws/camera/presence/", PresenceConsumer.as_asgi()),
]
