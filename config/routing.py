"""Every app's WebSocket routes, gathered for config.asgi."""

from cameras.routing import websocket_urlpatterns as camera_routes

websocket_urlpatterns = [*camera_routes]
