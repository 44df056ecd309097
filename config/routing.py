"""Every app's WebSocket routes, gathered for config.asgi."""

from cameras.routing import websocket_urlpatterns as camera_routes
from monitoring.routing import websocket_urlpatterns as monitoring_routes

websocket_urlpatterns = [*camera_routes, *monitoring_routes]
