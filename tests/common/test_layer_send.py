"""Channel-layer messages from a request's thread are sent by the server's loop, in commit
order, and the request does not wait for them (issue 40: waiting for the loop's round trips
to Redis was half of a camera-on request's time under load)."""

import asyncio

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from common import pipeline


async def test_a_request_thread_does_not_wait_for_the_layer_and_keeps_the_order():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    gate = asyncio.Event()
    original = layer.send

    async def slow_send(target, message):
        await gate.wait()  # the layer is slow: nothing is sent until the gate opens
        await original(target, message)

    layer.send = slow_send
    try:

        def request() -> str:
            for n in range(20):
                pipeline._layer_send("send", channel, {"type": "test.message", "n": n})
            return "answered"

        assert await asyncio.wait_for(sync_to_async(request)(), 5) == "answered"
        gate.set()
        received = [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(20)]
        assert received == list(range(20))
    finally:
        layer.send = original


def test_outside_a_server_the_send_is_done_when_it_returns():
    layer = get_channel_layer()
    channel = asyncio.run(layer.new_channel())
    pipeline._layer_send("send", channel, {"type": "test.message", "n": 1})
    assert asyncio.run(layer.receive(channel))["n"] == 1
