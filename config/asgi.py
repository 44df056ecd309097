"""ASGI entry point: HTTP to Django behind the body limit, WebSockets through Channels.

Django is set up first (get_asgi_application) so that the routing modules may import models.
"""

import os

from config.handler import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()  # Django's, with its sync threads reused

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from common import pipeline, runner  # noqa: E402
from common.sockets import auth_stack  # noqa: E402
from config.bodylimit import BodyLimitMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket import SameOriginValidator  # noqa: E402


async def lifespan(scope, receive, send):
    """Server start and stop: the embedded mode's runner, or with a broker the live ticker
    (the sweeps a board needs on time, held sends resumed), lives exactly as long as the
    server; Celery's worker and beat do the rest."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            runner.start(pipeline.run_task)
            runner.start_live(pipeline.run_task, pipeline.resume_held)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await runner.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app),
        "websocket": SameOriginValidator(auth_stack(URLRouter(websocket_urlpatterns))),
        "lifespan": lifespan,
    }
)
