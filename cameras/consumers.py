"""The live board socket: one snapshot on connect, then stream events as they happen."""

from channels.db import database_sync_to_async

from common.sockets import SafeJsonConsumer

from . import presence, sweeper
from .groups import board_groups_for_viewer
from .services import board_snapshot

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_ALLOWED = 4403


class LiveBoardConsumer(SafeJsonConsumer):
    groups_joined: list[str]

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
        self.groups_joined = board_groups_for_viewer(
            is_admin=user.is_admin_role, organization_id=user.organization_id
        )
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json(await self._snapshot(user))
        sweeper.board_connected()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "groups_joined", None):
            sweeper.board_disconnected()

    async def receive_json(self, content, **kwargs):
        if content["type"] == "snapshot":  # a board may ask for a fresh full picture
            await self.send_json(await self._snapshot(self.scope["user"]))
        else:
            await self.send_error("invalid", 'A board sends only {"type": "snapshot"}.')

    async def stream_message(self, event):
        await self.send_json({"type": event["event"], "stream": event["stream"]})

    async def stream_batch(self, event):
        """Many streams in one layer message; the board still gets one frame per stream."""
        for stream in event["streams"]:
            await self.send_json({"type": event["event"], "stream": stream})

    @database_sync_to_async
    def _snapshot(self, user) -> dict:
        return board_snapshot(user=user)


class PresenceConsumer(SafeJsonConsumer):
    """The candidate's heartbeat socket. Turning the camera on or off stays on the HTTP API
    (it validates the application); heartbeats of a live stream come here and are batched.

    In: `{"type": "heartbeat", "application_id": 7}`. Out: `{"type": "ack"}` per heartbeat, and
    `{"type": "stale"}` when the stream is no longer live (the page then calls the status API).
    """

    user_id: int | None = None

    async def connect(self):
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.user_id = user.pk

    async def disconnect(self, code):
        if self.user_id is not None:
            presence.batcher().forget(self, self.user_id)

    async def receive_json(self, content, **kwargs):
        if content["type"] != "heartbeat":
            await self.send_error("invalid", 'Send {"type": "heartbeat"}.')
            return
        application_id = content.get("application_id")
        if application_id is not None and (
            not isinstance(application_id, int) or isinstance(application_id, bool)
        ):
            await self.send_error("invalid", "application_id must be an integer.")
            return
        presence.batcher().add(self, self.user_id, application_id)
        await self.send_json({"type": "ack"})
