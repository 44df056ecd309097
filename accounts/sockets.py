"""A socket that lives only as long as its sign-in and the rights it was opened with.

It joins its user's and its browser session's groups and closes with 4401 when either is
ended (sign-out, password change, deactivation, a change of role, organization or staff
status: accounts.sessions), and forwards nothing after that. It checks the sign-in itself
too — when it opens, before every privileged message, and at least every
SOCKET_SESSION_CHECK_SECONDS — so a session that expired or stayed idle beyond
SESSION_IDLE_TIMEOUT cannot keep a socket working.
"""

import asyncio
import contextlib
import logging
import time

from django.conf import settings

from common.sockets import SafeJsonConsumer, database_call

from .sessions import (
    TOUCH_EVERY,
    rights_of,
    session_check,
    session_group,
    session_opening,
    session_touch,
    user_group,
)

logger = logging.getLogger(__name__)

CLOSE_NOT_SIGNED_IN = 4401


class SessionBoundConsumer(SafeJsonConsumer):
    session_groups: list[str]
    ended = False
    session_key: str | None = None
    touched_at = 0.0
    _session_watch: asyncio.Task | None = None

    async def join_session(self, user, *, groups=(), then=None) -> tuple[bool, object]:
        """Bind the socket to its sign-in: (False, None), and closed, when it no longer holds.

        `groups`: the socket's own groups, joined with its sign-in's before the check (the
        socket leaves them itself). `then`: the opening's own database work, run when the
        sign-in holds, in the same trip to the sockets' pool as the check (each trip waits its
        turn there: under a burst of openings, one fewer is a first heartbeat acked sooner);
        its result is the pair's second."""
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        self.rights = rights_of(user)
        self.session_groups = [user_group(user.pk)]
        if self.session_key:
            self.session_groups.append(session_group(self.session_key))
        for group in [*self.session_groups, *groups]:
            await self.channel_layer.group_add(group, self.channel_name)
        holds, result = await self._opening(user, session, then)
        if not holds:
            await self.session_end({})
            return False, None
        self._session_watch = asyncio.create_task(self._watch_session())
        return True, result

    async def leave_session(self) -> None:
        if self._session_watch is not None:
            self._session_watch.cancel()
        for group in getattr(self, "session_groups", []):
            # The layer may be gone; its groups expire by themselves then.
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def privileged(self) -> bool:
        """Before a privileged message (a snapshot, a watch request…): the sign-in and its
        rights still hold, and the user is active (the session is not idle). Else close."""
        if self.ended:
            return False
        if not await self._check():
            await self.session_end({})
            return False
        await self.active()
        return True

    async def active(self) -> None:
        """The user did something on this socket: their session is not idle."""
        if self.session_key and time.monotonic() - self.touched_at >= TOUCH_EVERY:
            self.touched_at = time.monotonic()
            with contextlib.suppress(Exception):  # the database is away: the next one then
                await database_call(session_touch)(session_key=self.session_key)

    @database_call
    def _opening(self, user, session, then) -> tuple[bool, object]:
        """The first check, on the user and session the socket's authentication has just read
        (privileged() reads both again: three queries fewer for every socket that opens); then
        the opening's own work when it holds."""
        if session is None or self.session_key is None:
            holds = session_check(user_id=user.pk, session_key=None, rights=self.rights)
        else:
            self.touched_at = time.monotonic()
            holds = user.is_active and session_opening(user=user, store=session)
        return holds, (then() if holds and then is not None else None)

    @database_call
    def _check(self) -> bool:
        return session_check(
            user_id=self.scope["user"].pk, session_key=self.session_key, rights=self.rights
        )

    async def _watch_session(self) -> None:
        while not self.ended:
            await asyncio.sleep(settings.SOCKET_SESSION_CHECK_SECONDS)
            try:
                valid = await self._check()
            except Exception as exc:  # the database is away: look again next time
                logger.info("Socket session check failed: %r", exc)
                continue
            if not valid:
                await self.session_end({})
                return

    async def session_end(self, event) -> None:
        """Signed out, session over, rights changed: close, say nothing more."""
        self.ended = True
        await self.close(code=CLOSE_NOT_SIGNED_IN)

    async def send_json(self, content, close=False):
        if self.ended:
            return
        await super().send_json(content, close=close)
