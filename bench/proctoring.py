"""Live proctoring benchmark: message delivery reviewer → candidate, and candidate → boards.

    .venv/bin/python bench/proctoring.py   # PostgreSQL + Redis on 127.0.0.1 (bin/test starts them)

One uvicorn process in the production shape (PostgreSQL, the Redis channel layer). One
reviewer's board writes to one candidate whose interview page holds its presence socket, while
1 and then 50 boards of the organization are open (every one of them hears each message too).
Latency is the client's: from sending `message.send` on the board to the `message` frame on
the candidate's page (a store, an audit entry and the fan-out to every board and the page,
on the same 2 cores as the clients). Then the reply, candidate → the last of the boards.
Prints figures; asserts nothing.
"""

import asyncio
import os
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    asgi,
    bench_candidates,
    bench_env,
    percentile,
    prepare_database,
    setup_django,
)

BOARDS = (1, 50)
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "200"))


def make_fixtures():
    from django.test import Client

    from accounts.models import Organization, User
    from cameras.models import ProctorMessage

    ProctorMessage.objects.all().delete()
    org, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    reviewer, _ = User.objects.get_or_create(
        username="bench-recruiter", defaults={"role": User.Role.RECRUITER, "organization": org}
    )
    [(candidate, _, _)] = bench_candidates(
        org_slug="bench", usernames=["bench-proctor-c"], first_name="Cand"
    )

    def cookie(user):
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    return cookie(reviewer), cookie(candidate), candidate.pk


async def _next(ws, kind: str, timeout: float = 10) -> dict:
    while True:
        message = await asyncio.wait_for(ws.receive(), timeout)
        body = message.json()
        if body["type"] == kind:
            return body


async def delivery(url, reviewer_cookie, candidate_cookie, candidate_id, boards: int):
    def ws(path, cookie):
        return {
            "url": url.replace("http", "ws") + path,
            "headers": {"Origin": url, "Cookie": f"sessionid={cookie}"},
            "max_msg_size": 0,
        }

    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(**ws("/ws/camera/streams/", reviewer_cookie))]
        for _ in range(boards - 1):
            sockets.append(await session.ws_connect(**ws("/ws/camera/streams/", reviewer_cookie)))
        for sock in sockets:
            await _next(sock, "snapshot")
        page = await session.ws_connect(**ws("/ws/camera/presence/", candidate_cookie))
        await asyncio.sleep(0.3)
        sender, last = sockets[0], sockets[-1]

        async def drain(sock):  # every board hears every message: keep reading
            try:
                while True:
                    await sock.receive()
            except Exception:
                return

        drains = [asyncio.create_task(drain(s)) for s in sockets[1:-1]]
        if boards > 1:
            drains.append(asyncio.create_task(drain(sender)))
        to_candidate, to_board = [], []
        for i in range(MESSAGES):
            t0 = time.perf_counter()
            await sender.send_json(
                {"type": "message.send", "user_id": candidate_id, "text": f"m{i}"}
            )
            while (await _next(page, "message"))["text"] != f"m{i}":
                pass  # its own reply, echoed
            to_candidate.append(time.perf_counter() - t0)
            if i % 4 == 0:  # a reply now and then, candidate → the last board opened
                t0 = time.perf_counter()
                await page.send_json({"type": "message.send", "text": f"r{i}"})
                while True:
                    body = await _next(last, "message")
                    if body["text"] == f"r{i}":
                        break
                to_board.append(time.perf_counter() - t0)
            await asyncio.sleep(0.01)
        for task in drains:
            task.cancel()
        for sock in [*sockets, page]:
            await sock.close()
        return to_candidate, to_board


def main() -> None:
    env = bench_env()
    print(f"Preparing database {env['DATABASE_URL'].rsplit('/', 1)[1]} and Redis ...", flush=True)
    prepare_database(env)
    setup_django(env)
    reviewer_cookie, candidate_cookie, candidate_id = make_fixtures()
    print(
        f"\nMessage delivery, one uvicorn process, PostgreSQL, Redis channel layer; "
        f"{MESSAGES} messages per row (client-side send → receipt)"
    )
    with asgi(env, "asgi-proctoring") as (url, _):
        for boards in BOARDS:
            to_candidate, to_board = asyncio.run(
                delivery(url, reviewer_cookie, candidate_cookie, candidate_id, boards)
            )
            for label, lat in (
                ("reviewer → candidate", to_candidate),
                ("candidate → board  ", to_board),
            ):
                print(
                    f"  {boards:>3} open board(s)  {label}  {len(lat):>4} messages  "
                    f"p50 {percentile(lat, 50) * 1000:6.1f} ms  "
                    f"p99 {percentile(lat, 99) * 1000:6.1f} ms"
                )


if __name__ == "__main__":
    main()
