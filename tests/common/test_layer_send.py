"""Channel-layer messages from a request's thread are sent by the server's loop, in commit
order, and the request does not wait for them (issue 40: waiting for the loop's round trips
to Redis was half of a camera-on request's time under load)."""

import asyncio
import threading

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
        received = []
        while len(received) < 20:
            message = await asyncio.wait_for(layer.receive(channel), 5)
            received += unbatched(message)
        assert [m["n"] for m in received] == list(range(20))
    finally:
        layer.send = original


def unbatched(message: dict) -> list[dict]:
    if message["type"] == pipeline.LAYER_BATCH:
        return message["messages"]
    return [message]


async def test_what_waits_for_the_loop_leaves_in_one_message_per_target():
    """A burst (300 cameras on in ten seconds) is one layer message per group, not one per
    event: each send is several Redis round trips on a busy loop (bench/load.py)."""
    layer = get_channel_layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    gate = asyncio.Event()
    original, sends = layer.send, []

    async def counted_send(target, message):
        sends.append(target)
        await gate.wait()
        await original(target, message)

    layer.send = counted_send
    try:

        def request() -> None:
            pipeline._layer_send("send", first, {"type": "test.message", "n": -1})
            for n in range(250):  # the first send waits at the gate while these queue
                pipeline._layer_send("send", first if n % 2 else second, {"type": "t", "n": n})

        await sync_to_async(request)()
        gate.set()
        got = {first: [], second: []}
        while len(got[first]) + len(got[second]) < 251:
            for channel in (first, second):
                try:
                    message = await asyncio.wait_for(layer.receive(channel), 0.2)
                except TimeoutError:
                    continue
                got[channel] += [m["n"] for m in unbatched(message)]
        assert got[first] == [-1, *range(1, 250, 2)]  # in order, per target
        assert got[second] == list(range(0, 250, 2))
        assert len(sends) <= 6  # two rounds at most (the first waited at the gate), 100 a message
    finally:
        layer.send = original


async def test_a_socket_takes_a_batch_as_the_messages_it_holds():
    from common.sockets import SafeJsonConsumer

    class Recorder(SafeJsonConsumer):
        seen: list

        async def test_message(self, event):
            self.seen.append(event["n"])

    consumer = Recorder()
    consumer.seen = []
    await consumer.dispatch({"type": "test.message", "n": 0})
    batch = [{"type": "test.message", "n": n} for n in (1, 2)]
    await consumer.dispatch({"type": pipeline.LAYER_BATCH, "messages": batch})
    assert consumer.seen == [0, 1, 2]


async def test_outside_a_server_the_send_is_done_when_it_returns():
    """A worker's thread (no server loop) sends and waits: when the call returns, the message
    is with the layer (published, with the pub/sub layer, to a socket listening now)."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    worker = threading.Thread(
        target=pipeline._layer_send, args=("send", channel, {"type": "test.message", "n": 1})
    )
    worker.start()
    await asyncio.to_thread(worker.join, 10)
    assert not worker.is_alive()
    assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == 1


async def test_a_worker_sends_on_one_loop_of_its_own_that_stays():
    """Outside a server, every send of a process goes through one loop that stays: a new loop
    per send (async_to_sync) meant a new Redis connection per message with the Redis layers,
    ~4 ms of a worker's CPU each against ~0.4 ms (issue 40)."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    original, loops = layer.send, []

    async def recording_send(target, message):
        loops.append(asyncio.get_running_loop())
        await original(target, message)

    def worker() -> None:
        for n in range(3):
            pipeline._layer_send("send", channel, {"type": "test.message", "n": n})

    layer.send = recording_send
    try:
        await asyncio.to_thread(worker)
        await asyncio.to_thread(worker)  # another thread of the same process: the same loop
    finally:
        layer.send = original
    assert len(loops) == 6 and set(loops) == {pipeline._process_loop()}
    assert loops[0] is not asyncio.get_running_loop() and loops[0].is_running()
    received = []
    while len(received) < 6:
        received += unbatched(await asyncio.wait_for(layer.receive(channel), 5))
    assert [m["n"] for m in received] == [0, 1, 2, 0, 1, 2]


async def test_a_worker_does_not_wait_for_a_layer_that_hangs(monkeypatch, caplog):
    """A send that does not finish in LAYER_SEND_TIMEOUT is given up (a socket that misses it
    re-reads its state on reconnect); the worker goes on."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    original = layer.send

    async def hanging_send(target, message):
        await asyncio.Event().wait()  # never

    monkeypatch.setattr(pipeline, "LAYER_SEND_TIMEOUT", 0.3)
    layer.send = hanging_send
    try:
        await asyncio.wait_for(
            asyncio.to_thread(pipeline._layer_send, "send", channel, {"type": "t", "n": 1}), 5
        )
    finally:
        layer.send = original
    assert "Channel layer send to" in caplog.text
