"""Every app's WebSocket routes, gathered for config.asgi."""

websocket_urlpatterns: list = []
