"""Signed-in sessions end after SESSION_IDLE_TIMEOUT seconds without a request."""

import time

from django.conf import settings
from django.contrib.auth import logout

from .sessions import LAST_SEEN, TOUCH_EVERY


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated and session.session_key:
            now = int(time.time())
            last = session.get(LAST_SEEN, now)
            if now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)  # user_logged_out closes their sockets too
            elif now - last >= TOUCH_EVERY or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)
