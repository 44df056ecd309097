"""The live board socket (one snapshot on connect, then stream events as they happen) and the
candidate's presence socket (heartbeats). What each takes and sends is cameras.messages: a
message is dispatched to the handler its entry names.

Both live only as long as the sign-in that opened them (accounts.sockets), and limit what a
connection may send per message type (RATE_LIMIT_SOCKET_*): beyond it, an `error` with code
`rate_limited` and `retry_after` seconds; the socket stays open.
"""

import logging

from django.conf import settings
from django.utils import timezone

from accounts.sockets import CLOSE_NOT_SIGNED_IN, SessionBoundConsumer
from common.ratelimit import SocketLimits
from common.sockets import database_call
from common.time import iso_utc

from . import messages, presence, proctoring, watch
from .groups import board_groups_for_viewer, candidate_group
from .services import board_snapshot

logger = logging.getLogger(__name__)

CLOSE_NOT_ALLOWED = 4403
CLOSE_TRY_AGAIN = 4503  # the server cannot serve a board right now (channel layer down)

__all__ = ["CLOSE_NOT_ALLOWED", "CLOSE_NOT_SIGNED_IN", "LiveBoardConsumer", "PresenceConsumer"]


class LimitedConsumer(SessionBoundConsumer):
    """Per-connection, per-type message limits (in this process: a connection lives here)."""

    def rates(self) -> dict[str, str]:
        return {}

    async def within_limits(self, message_type: str) -> bool:
        if not hasattr(self, "limits"):
            self.limits = SocketLimits(self.channel_name, self.rates())
        if self.limits.allow(message_type):
            return True
        await self.send_json(
            {
                "type": "error",
                "code": "rate_limited",
                "message": f"Too many {message_type} messages; slow down.",
                "retry_after": self.limits.retry_after(message_type),
            }
        )
        return False


class WatchingConsumer(LimitedConsumer):
    """The signalling of live video (cameras.watch) on either socket: `side` is "viewer" on
    the board and "candidate" on the presence socket."""

    side = ""
    socket: messages.Socket  # what this socket takes and sends (cameras.messages)

    async def receive_json(self, content, **kwargs):
        """Each message type to the handler the catalogue names; anything else is refused."""
        handler = self.socket.handler_for(content["type"])
        if handler is None:
            await self.send_error("invalid", self.socket.refusal())
            return
        await getattr(self, handler)(content)

    async def watch_relay(self, event):
        """A message the server routed to exactly this socket (cameras.watch)."""
        await self.send_json(event["message"])

    async def handle_watch(self, content) -> None:
        if not await self.within_limits("signal"):
            return
        if content["type"] == "watch.request" and not await self.privileged():
            return  # a sign-in that no longer holds asks for nobody's video
        try:
            outbox = await self._watch(content)
        except watch.WatchRefused as refused:
            await self.send_json(
                {
                    "type": "watch.error",
                    "code": refused.code,
                    "message": refused.message,
                    **({"watch_id": content["watch_id"]} if "watch_id" in content else {}),
                    **({"user_id": content["user_id"]} if "user_id" in content else {}),
                }
            )
            return
        await self.deliver(outbox)

    async def deliver(self, outbox) -> None:
        for channel, message in outbox:
            try:
                await self.channel_layer.send(channel, message)
            except Exception:  # the other socket is gone: its own close ends the watch
                logger.info("Could not relay to %s", channel)

    @database_call
    def _watch(self, content):
        kind = content["type"]
        if kind == "watch.request" and self.side == "viewer":
            return watch.watch_request(
                viewer=self.scope["user"],
                user_id=content.get("user_id"),
                viewer_channel=self.channel_name,
            )
        if kind == "watch.end":
            return watch.watch_end(content=content, channel=self.channel_name, side=self.side)
        return watch.watch_relay(content=content, channel=self.channel_name, side=self.side)

    @database_call
    def _watches_end(self):
        return watch.watches_end_for_channel(channel=self.channel_name)

    # --- Live proctoring (cameras.proctoring) ----------------------------------------------

    async def proctor(self, content, action) -> None:
        """Run one proctoring action (rate-limited per socket); a refusal is an `error` with
        the code (`not_visible`, `too_long`, `invalid`), naming the type it refuses."""
        if not await self.within_limits("message"):
            return
        try:
            await database_call(action)()
        except proctoring.ProctorRefused as refused:
            await self.send_json(
                {
                    "type": "error",
                    "code": refused.code,
                    "message": refused.message,
                    "refused": content["type"],
                    **({"user_id": content["user_id"]} if "user_id" in content else {}),
                }
            )

    async def proctor_event(self, event):
        """A message, a hand or the end of an interview (cameras.proctoring), as it is."""
        message = event["message"]
        await self.send_json(message)
        if message["type"] == "message" and message["from"]["side"] != self.side_name:
            await database_call(proctoring.proctor_delivered)(message_id=message["id"])


class LiveBoardConsumer(WatchingConsumer):
    side = "viewer"
    side_name = "reviewer"
    socket = messages.BOARD

    groups_joined: list[str]

    def rates(self) -> dict[str, str]:
        return {
            "snapshot": settings.RATE_LIMIT_SOCKET_SNAPSHOT,
            "signal": settings.RATE_LIMIT_SOCKET_SIGNAL,
            "message": settings.RATE_LIMIT_SOCKET_MESSAGE,
        }

    async def connect(self):
        self.groups_joined = []
        # Accept first, then close with a code: a browser only sees codes after the handshake.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        if not user.is_staff_role:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        try:
            if not (await self.join_session(user))[0]:
                return
            self.groups_joined = board_groups_for_viewer(
                is_admin=user.is_admin_role, organization_id=user.organization_id
            )
            for group in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
            snapshot = await self._snapshot(user)
        except Exception:
            # A board that could not join its groups would sit silent: never keep one. The
            # page retries this close code with backoff.
            logger.warning("Board for user %s refused: channel layer unavailable", user.pk)
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        await self.send_json(snapshot)

    async def disconnect(self, code):
        await self.leave_session()
        if getattr(self, "groups_joined", None):
            await self.deliver(await self._watches_end())
        for group in getattr(self, "groups_joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer is gone; its groups expire by themselves
                logger.info("Could not leave %s", group)

    async def on_snapshot(self, content):
        if not await self.within_limits("snapshot"):
            return
        if not await self.privileged():  # signed URLs only for a sign-in that still holds
            return
        await self.send_json(await self._snapshot(self.scope["user"]))

    async def on_message_send(self, content):
        """`{"type": "message.send", "user_id", "text", "warning"?}`: to a candidate."""
        if not await self.privileged():  # a sign-in that no longer holds writes to nobody
            return
        user = self.scope["user"]
        await self.proctor(
            content,
            lambda: proctoring.proctor_message_send(
                reviewer=user,
                user_id=content.get("user_id"),
                text=content.get("text"),
                warning=content.get("warning", False),
            ),
        )

    async def stream_message(self, event):
        await self.send_json({"type": event["event"], "stream": event["stream"]})

    async def stream_batch(self, event):
        """Many streams in one layer message; the board still gets one frame per stream."""
        for stream in event["streams"]:
            await self.send_json({"type": event["event"], "stream": stream})

    @database_call
    def _snapshot(self, user) -> dict:
        return board_snapshot(user=user)


class PresenceConsumer(WatchingConsumer):
    """The candidate's heartbeat socket. Turning the camera on or off stays on the HTTP API
    (it validates the application); heartbeats of a live stream come here and are batched.

    In: `{"type": "heartbeat", "application_id": 7}`. Out: `{"type": "ack", "server_time"}` per
    heartbeat, and
    `{"type": "stale"}` when the stream is no longer live (the page then calls the status API).
    """

    user_id: int | None = None
    side = "candidate"
    side_name = "candidate"
    socket = messages.PRESENCE
    registered_for: int | None = None  # the interview this socket is the way to reach

    def rates(self) -> dict[str, str]:
        return {
            "heartbeat": settings.RATE_LIMIT_SOCKET_HEARTBEAT,
            "signal": settings.RATE_LIMIT_SOCKET_SIGNAL,
            "message": settings.RATE_LIMIT_SOCKET_MESSAGE,
        }

    async def connect(self):
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.user_id = user.pk
        # Messages, hands and the end of the interview reach every page of the candidate
        # (the group, joined first); what reviewers wrote while no page was open arrives now
        # (read with the sign-in's check, in one trip to the database).
        holds, pending = await self.join_session(
            user,
            groups=[candidate_group(user.pk)],
            then=lambda: proctoring.proctor_pending(candidate_id=user.pk),
        )
        if not holds:  # closed 4401
            return
        for message in pending:
            await self.send_json(message)

    async def disconnect(self, code):
        await self.leave_session()
        if self.user_id is not None:
            try:
                await self.channel_layer.group_discard(
                    candidate_group(self.user_id), self.channel_name
                )
            except Exception:  # the layer is gone; its groups expire by themselves
                logger.info("Could not leave the candidate group of %s", self.user_id)
            presence.batcher().forget(self, self.user_id)
            try:
                await self.deliver(await self._forget())
            except Exception:  # the database is away: the sweep ends what is left
                logger.info("Could not end the watches of %s", self.channel_name)

    async def on_heartbeat(self, content):
        application_id = content.get("application_id")
        if application_id is not None and (
            not isinstance(application_id, int) or isinstance(application_id, bool)
        ):
            await self.send_error("invalid", "application_id must be an integer.")
            return
        if not await self.within_limits("heartbeat"):
            return
        if self.ended:
            return
        presence.batcher().add(self, self.user_id, application_id)  # batched, flushed each second
        # The server's time: the page dates its captures and events by the server's clock.
        # Acked first: the session touch below may wait for the database.
        await self.send_json({"type": "ack", "server_time": iso_utc(timezone.now())})
        await self.active()  # an interview under way keeps its session from going idle
        if application_id is not None and application_id != self.registered_for:
            # The first heartbeat of an interview: this socket is where watch requests go.
            self.registered_for = application_id
            await self.deliver(await self._register(application_id))

    async def on_message_send(self, content):
        """`{"type": "message.send", "text"}`: to the reviewers of the interview under way."""
        user = self.scope["user"]
        await self.proctor(
            content,
            lambda: proctoring.proctor_reply(
                candidate=user,
                text=content.get("text"),
                application_id=content.get("application_id", self.registered_for),
            ),
        )

    async def on_hand(self, content):
        """`{"type": "hand.raise"}` / `{"type": "hand.lower"}`: ask for help, or stop asking."""
        user = self.scope["user"]
        await self.proctor(
            content,
            lambda: proctoring.proctor_hand(
                candidate=user,
                raised=content["type"] == "hand.raise",
                application_id=content.get("application_id", self.registered_for),
            ),
        )

    @database_call
    def _register(self, application_id: int):
        return watch.presence_register(
            user_id=self.user_id, application_id=application_id, channel=self.channel_name
        )

    @database_call
    def _forget(self):
        return watch.presence_forget(channel=self.channel_name)
