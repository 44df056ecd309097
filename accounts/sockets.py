"""A socket that lives only as long as its sign-in: it joins its user's and its browser
session's groups, closes with 4401 when either is ended (accounts.sessions), and forwards
nothing after that."""

import contextlib

from common.sockets import SafeJsonConsumer

from .sessions import session_group, user_group

CLOSE_NOT_SIGNED_IN = 4401


class SessionBoundConsumer(SafeJsonConsumer):
    session_groups: list[str]
    ended = False

    async def join_session(self, user) -> None:
        session = self.scope.get("session")
        self.session_groups = [user_group(user.pk)]
        if session is not None and session.session_key:
            self.session_groups.append(session_group(session.session_key))
        for group in self.session_groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave_session(self) -> None:
        for group in getattr(self, "session_groups", []):
            # The layer may be gone; its groups expire by themselves then.
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def session_end(self, event) -> None:
        """Signed out, password changed or account deactivated: close, say nothing more."""
        self.ended = True
        await self.close(code=CLOSE_NOT_SIGNED_IN)

    async def send_json(self, content, close=False):
        if self.ended:
            return
        await super().send_json(content, close=close)
