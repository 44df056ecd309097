"""The review timeline's socket: an open timeline of one interview hears what changed in its
record (monitoring.live), so new captures, events and incidents appear without a reload.

`/ws/monitoring/timeline/<application_id>/` — for the recruiters of the interview's
organization and admins (the scope of the timeline page and the board); anyone else is closed
with 4403, a sign-in that no longer holds with 4401 (accounts.sockets). The socket only hints;
the page reads through the HTTP API, so scoping, signed URLs and audit stay where they are.
"""

import logging

from django.conf import settings

from accounts.sockets import CLOSE_NOT_SIGNED_IN, SessionBoundConsumer
from applications.selectors import applications_for_user
from cameras import proctoring
from cameras.groups import conversation_group
from common.ratelimit import SocketLimits
from common.sockets import database_call

from .live import timeline_group
from .messages import TIMELINE

logger = logging.getLogger(__name__)

CLOSE_NOT_ALLOWED = 4403
CLOSE_TRY_AGAIN = 4503

__all__ = ["CLOSE_NOT_ALLOWED", "CLOSE_NOT_SIGNED_IN", "TimelineConsumer"]


class TimelineConsumer(SessionBoundConsumer):
    socket = TIMELINE  # what it takes and sends (monitoring.messages)
    group: str | None = None
    application_id: int | None = None
    candidate_id: int | None = None

    async def connect(self):
        await self.accept()  # then close with a code: a browser only sees codes after this
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        application_id = self.scope["url_route"]["kwargs"]["application_id"]
        self.candidate_id = await self._candidate_of(user, application_id)
        if not user.is_staff_role or self.candidate_id is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.application_id = application_id
        try:
            if not (await self.join_session(user))[0]:
                return
            self.group = timeline_group(application_id)
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.channel_layer.group_add(
                conversation_group(application_id), self.channel_name
            )
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
                await self.channel_layer.group_discard(
                    conversation_group(self.application_id), self.channel_name
                )
            except Exception:  # the layer is gone; its groups expire by themselves
                logger.info("Could not leave %s", self.group)

    async def receive_json(self, content, **kwargs):
        handler = TIMELINE.handler_for(content["type"])
        if handler is None:
            await self.send_error("invalid", TIMELINE.refusal())
            return
        await getattr(self, handler)(content)

    async def on_message_send(self, content):
        """`{"type": "message.send", "text", "warning"?}`: to this interview's candidate
        (cameras.proctoring, the board's rules and refusals; rate-limited like the board)."""
        if not hasattr(self, "limits"):
            self.limits = SocketLimits(
                self.channel_name, {"message": settings.RATE_LIMIT_SOCKET_MESSAGE}
            )
        if not self.limits.allow("message"):
            await self.send_json(
                {
                    "type": "error",
                    "code": "rate_limited",
                    "message": "Too many messages; slow down.",
                    "retry_after": self.limits.retry_after("message"),
                    "refused": "message.send",
                }
            )
            return
        if not await self.privileged():
            return
        user = self.scope["user"]
        try:
            await database_call(proctoring.proctor_message_send)(
                reviewer=user,
                user_id=self.candidate_id,
                application_id=self.application_id,
                text=content.get("text"),
                warning=content.get("warning", False),
            )
        except proctoring.ProctorRefused as refused:
            await self.send_json(
                {
                    "type": "error",
                    "code": refused.code,
                    "message": refused.message,
                    "refused": "message.send",
                }
            )

    async def timeline_changed(self, event):
        await self.send_json({"type": "changed", "what": event["what"], "at": event["at"]})

    async def proctor_event(self, event):
        """A line of this interview's conversation, a hand, the end (cameras.proctoring)."""
        await self.send_json(event["message"])

    @database_call
    def _candidate_of(self, user, application_id: int) -> int | None:
        return (
            applications_for_user(user=user)
            .filter(pk=application_id)
            .values_list("candidate_id", flat=True)
            .first()
        )
