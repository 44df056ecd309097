"""Scale-out, simulated: two independent server instances (separate uvicorn process groups on
different ports) sharing only PostgreSQL and Redis. A board on instance A sees a candidate
whose camera goes on through instance B, and a watch request sent on A reaches the candidate's
presence socket held by B."""

import asyncio

import aiohttp
import pytest
from rest_framework.authtoken.models import Token

from tests.processes import asgi_server, child_env
from tests.sockets import next_frame as _next
from tests.sockets import session_cookie as _cookie

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_board_on_one_instance_sees_and_watches_a_candidate_on_another(acme, settings, tmp_path):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis.")
    board_cookie, candidate_cookie = _cookie(acme.recruiter), _cookie(acme.candidate)
    token = Token.objects.create(user=acme.candidate).key
    app_id, candidate_id = acme.application.id, acme.candidate.id
    env = child_env()

    with (
        asgi_server(env, tmp_path / "a.log") as a,
        asgi_server(env, tmp_path / "b.log") as b,
    ):
        assert a != b

        async def scenario():
            async with aiohttp.ClientSession() as session:
                board = await session.ws_connect(
                    a.replace("http", "ws") + "/ws/camera/streams/",
                    headers={"Origin": a, "Cookie": f"sessionid={board_cookie}"},
                )
                assert (await _next(board, "snapshot"))["streams"] == []
                async with session.post(
                    f"{b}/api/camera/status",
                    json={"is_active": True, "application_id": app_id},
                    headers={"Authorization": f"Token {token}"},
                ) as response:
                    assert response.status == 200, await response.text()
                started = await _next(board, "stream.started")
                assert started["stream"]["user_id"] == candidate_id

                page = await session.ws_connect(
                    b.replace("http", "ws") + "/ws/camera/presence/",
                    headers={"Origin": b, "Cookie": f"sessionid={candidate_cookie}"},
                )
                await page.send_json({"type": "heartbeat", "application_id": app_id})
                await _next(page, "ack")
                await asyncio.sleep(0.3)  # the registration is written after the ack
                await board.send_json({"type": "watch.request", "user_id": candidate_id})
                asked = await _next(page, "watch.request")
                acked = await _next(board, "watch.request")
                await page.send_json(
                    {"type": "watch.offer", "watch_id": asked["watch_id"], "sdp": "v=0\r\n"}
                )
                offer = await _next(board, "watch.offer")
                await board.close()  # instance A ends the watch; B's socket hears it
                ended = await _next(page, "watch.end")
                await page.close()
                return asked, acked, offer, ended

        asked, acked, offer, ended = asyncio.run(scenario())

    assert asked["watch_id"] == acked["watch_id"] == offer["watch_id"] == ended["watch_id"]
    assert asked["viewer_name"] == "Rita Reyes" and ended["reason"] == "socket_closed"
