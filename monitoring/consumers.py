"""The review timeline's socket: an open timeline of one interview hears what changed in its
record (monitoring.live), so new captures, events and incidents appear without a reload.

`/ws/monitoring/timeline/<application_id>/` — for the recruiters of the interview's
organization and admins (the scope of the timeline page and the board); anyone else is closed
with 4403, a sign-in that no longer holds with 4401 (accounts.sockets). The socket only hints;
the page reads through the HTTP API, so scoping, signed URLs and audit stay where they are.
"""

import logging

from accounts.sockets import CLOSE_NOT_SIGNED_IN, SessionBoundConsumer
from applications.selectors import applications_for_user
from common.sockets import database_call

from .live import timeline_group
from .messages import TIMELINE

logger = logging.getLogger(__name__)

CLOSE_NOT_ALLOWED = 4403
CLOSE_TRY_AGAIN = 4503

__all__ = ["CLOSE_NOT_ALLOWED", "CLOSE_NOT_SIGNED_IN", "TimelineConsumer"]


class TimelineConsumer(SessionBoundConsumer):
    group: str | None = None

    async def connect(self):
        await self.accept()  # then close with a code: a browser only sees codes after this
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        application_id = self.scope["url_route"]["kwargs"]["application_id"]
        if not user.is_staff_role or not await self._may_see(user, application_id):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        try:
            if not await self.join_session(user):
                return
            self.group = timeline_group(application_id)
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception:
            logger.warning("Timeline socket for user %s refused: no channel layer", user.pk)
            self.group = None
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        await self.send_json({"type": "ready", "application_id": application_id})

    async def disconnect(self, code):
        await self.leave_session()
        if self.group is not None:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:  # the layer is gone; its groups expire by themselves
                logger.info("Could not leave %s", self.group)

    async def receive_json(self, content, **kwargs):
        await self.send_error("invalid", TIMELINE.refusal())

    async def timeline_changed(self, event):
        await self.send_json({"type": "changed", "what": event["what"], "at": event["at"]})

    @database_call
    def _may_see(self, user, application_id: int) -> bool:
        return applications_for_user(user=user).filter(pk=application_id).exists()
