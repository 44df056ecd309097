"""Live proctoring across two server instances (separate uvicorn processes on different ports)
that share only PostgreSQL and Redis: a message from a board on instance A reaches the
candidate's page on instance B and the reply comes back; a raised hand on B shows on A and a
board of another organization on A hears none of it; a message to a page that is closed is
delivered when a page connects on the other instance."""

import asyncio

import aiohttp
import pytest

from tests.processes import asgi_server, child_env
from tests.sockets import next_frame as _next
from tests.sockets import session_cookie as _cookie

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


async def _nothing(ws, timeout: float = 1.0) -> None:
    try:
        message = await asyncio.wait_for(ws.receive(), timeout)
    except TimeoutError:
        return
    raise AssertionError(f"heard {message.data}")


def test_messages_and_a_raised_hand_cross_instances(acme, globex, settings, tmp_path):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis.")
    board_cookie, candidate_cookie = _cookie(acme.recruiter), _cookie(acme.candidate)
    other_cookie = _cookie(globex.recruiter)
    candidate_id = acme.candidate.id
    env = child_env()

    with (
        asgi_server(env, tmp_path / "a.log") as a,
        asgi_server(env, tmp_path / "b.log") as b,
    ):

        def ws(base, path, cookie):
            return {
                "url": base.replace("http", "ws") + path,
                "headers": {"Origin": base, "Cookie": f"sessionid={cookie}"},
            }

        async def scenario():
            async with aiohttp.ClientSession() as session:
                board = await session.ws_connect(**ws(a, "/ws/camera/streams/", board_cookie))
                other = await session.ws_connect(**ws(a, "/ws/camera/streams/", other_cookie))
                await _next(board, "snapshot")
                await _next(other, "snapshot")

                # To a closed page: delivered when a page connects, on the other instance.
                await board.send_json(
                    {"type": "message.send", "user_id": candidate_id, "text": "Waiting for you"}
                )
                await _next(board, "message")
                page = await session.ws_connect(**ws(b, "/ws/camera/presence/", candidate_cookie))
                waited = await _next(page, "message")

                await board.send_json(
                    {"type": "message.send", "user_id": candidate_id, "text": "Across"}
                )
                across = await _next(page, "message")
                await page.send_json({"type": "message.send", "text": "Back"})
                back = await _next(board, "message")
                while back["text"] != "Back":
                    back = await _next(board, "message")
                await page.send_json({"type": "hand.raise"})
                raised = await _next(board, "hand.raised")
                await _nothing(other)
                for sock in (board, other, page):
                    await sock.close()
                return waited, across, back, raised

        waited, across, back, raised = asyncio.run(scenario())

    assert waited["text"] == "Waiting for you"
    assert across["text"] == "Across" and across["from"]["name"] == "Rita Reyes"
    assert back["from"] == {"side": "candidate", "name": "John Carter"}
    assert raised["user_id"] == candidate_id
