from django.urls import path

from .consumers import LiveBoardConsumer

websocket_urlpatterns = [
    path("ws/camera/streams/", LiveBoardConsumer.as_asgi()),
]
