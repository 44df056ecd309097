"""The one way follow-up work leaves a transaction: after it commits, by name, never lost
without a way back.

Three kinds of follow-up, one module (README: "Where things live"):

- **Tasks** — `enqueue(FOLLOWUP, *ids)`: the task registered under that name runs after the
  commit, on a Celery worker (a broker), on the embedded runner (`bin/run`), or in-process
  (eager, the fast tests). A broker that cannot take it: a task whose effect a sweep derives
  again from stored state is held in this process and sent as soon as the broker answers
  again (`resume_held`, every second from the web process's ticker), the sweep being the
  backstop for a process that dies meanwhile (`fallback=DROP`: analyses, erasure steps); one
  that no sweep re-derives runs here and now instead (`fallback=HERE`: integrity
  recomputes).
- **Outbox messages** — `outbox(FOLLOWUP, **payload)`: work that cannot be derived again
  (an e-mail, a webhook) is a row written *in the same transaction*, then delivered through
  a task, marked sent, and sent again by `outbox_sweep` when it was not (broker down, worker
  killed): at least once, with the row's id for the receiver to drop a duplicate.
- **Channel-layer messages** — `group_send` / `channel_send`: after the commit, straight to the
  channel layer, never through the broker (a live board cannot wait for a worker); a message
  that is lost is re-derived by the board's snapshot on reconnect.

Services name follow-ups; they never import tasks. Each app declares its follow-ups in its
`followups.py` (`followup(name)`) and registers the tasks of those names in its `tasks.py`.
This module imports no app (import-linter holds it) and is, with the apps' `tasks.py`, the
only place that imports Celery or calls `transaction.on_commit`.
"""

import asyncio
import logging
import os
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asgiref.sync import SyncToAsync, async_to_sync
from celery import current_app
from channels.layers import get_channel_layer
from circuitbreaker import CircuitBreaker
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from . import runner
from .models import OutboxMessage

logger = logging.getLogger(__name__)

DROP = "drop"  # a sweep derives it again from stored state
HERE = "here"  # nothing would: run it in this process when no broker takes it


@dataclass(frozen=True)
class Followup:
    """A follow-up by registered task name. `retry` (outbox messages): seconds to wait before
    each further attempt after a failure; a callable is read when needed (settings)."""

    name: str
    fallback: str = DROP
    retry: tuple[int, ...] | Callable[[], tuple[int, ...]] = field(default=(), compare=False)

    def retry_schedule(self) -> tuple[int, ...]:
        return tuple(self.retry() if callable(self.retry) else self.retry)


DECLARED: dict[str, Followup] = {}


def followup(
    name: str,
    *,
    fallback: str = DROP,
    retry: tuple[int, ...] | Callable[[], tuple[int, ...]] = (),
) -> Followup:
    """Declare a follow-up (at import time, in an app's followups.py)."""
    declared = Followup(name, fallback, retry)
    DECLARED[name] = declared
    return declared


OUTBOX_DELIVER = followup("common.outbox_deliver")
OUTBOX_SWEEP = followup("common.outbox_sweep")


# --- Tasks ------------------------------------------------------------------------------------


def enqueue(task: Followup, *args) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one).
    Arguments are ids and plain values, never model instances."""
    transaction.on_commit(lambda: _send(task, args))


# After a send fails, sends pause for a few seconds: a broker that is down must not make every
# request wait on its connection time-out.
# (circuitbreaker, not pybreaker: the latter holds one lock across every call it guards.)
_broker = CircuitBreaker(failure_threshold=1, recovery_timeout=10, name="broker")


def _send(task: Followup, args: tuple) -> None:
    embedded = runner.active()
    if embedded is not None:  # the embedded mode's in-process runner (common.runner)
        embedded.submit(task.name, args)
        return
    celery_task = current_app.tasks[task.name]
    if current_app.conf.task_always_eager:  # no broker at all: the task runs here and now
        try:
            celery_task.delay(*args)
        except Exception:
            logger.exception("%s%s failed", task.name, args)
        return
    if not _broker.opened:
        try:
            _broker.call(celery_task.delay, *args)
            return
        except Exception:
            logger.exception("Could not queue %s%s", task.name, args)
    if task.fallback == HERE:
        logger.warning("Broker unavailable: %s%s runs in this process", task.name, args)
        run_task(task.name, args)
    else:
        with _held_lock:
            _held.append((task, args))
        logger.warning("Broker unavailable: %s%s held until it answers again", task.name, args)


# Tasks a broker that was down could not take (fallback DROP), in this process, oldest first;
# beyond the bound the oldest go (the sweeps re-derive them). Sent again by `resume_held`.
_held: deque = deque(maxlen=10_000)
_held_lock = threading.Lock()


def resume_held() -> int:
    """Send again what the broker could not take, once its breaker lets a send through; what
    fails again is held again. Returns how many were sent."""
    if not _held or _broker.opened:
        return 0
    with _held_lock:
        batch = list(_held)
        _held.clear()
    sent = 0
    for number, (task, args) in enumerate(batch):
        if _broker.opened:  # failed again: keep the rest, in order
            with _held_lock:
                _held.extendleft(reversed(batch[number:]))
            break
        _send(task, args)
        sent += 1
    if sent:
        logger.info("Broker back: %d held follow-up(s) sent", sent)
    return sent


def held_count() -> int:
    return len(_held)


def run_task(name: str, args: tuple) -> None:
    """Run a registered task in this thread (the embedded runner, a broker that is down);
    a failure is logged, never raised into the caller."""
    try:
        current_app.tasks[name].run(*args)
    except Exception:
        logger.exception("%s%s failed", name, args)
    finally:
        close_old_connections()


def broker_available() -> bool:
    """Whether sends go to the broker right now (False while the breaker is open)."""
    return not _broker.opened


# --- The outbox -------------------------------------------------------------------------------


def outbox(task: Followup, **payload) -> OutboxMessage:
    """Write the message in the current transaction; deliver it after the commit. The task
    `task.name` is called as `task(message_id=…, **payload)` (the id lets a receiver drop a
    duplicate: an e-mail's Message-ID, a webhook's `webhook-id`)."""
    message = OutboxMessage.objects.create(task=task.name, payload=payload)
    enqueue(OUTBOX_DELIVER, str(message.pk))
    return message


def _lease(message_id: str, now: datetime) -> OutboxMessage | None:
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, sent_at=None, failed_at=None, due_at__lte=now)
        .filter(Q(leased_until=None) | Q(leased_until__lt=now))
        .update(leased_until=now + lease)
    )
    return OutboxMessage.objects.filter(pk=message_id).first() if claimed else None


def outbox_deliver(*, message_id: str, now: datetime | None = None) -> str:
    """Deliver one message unless it is sent, failed, not due, or another delivery holds it.
    Returns what happened: "sent", "retry", "failed" or "skipped"."""
    try:
        message_id = str(uuid.UUID(str(message_id)))
    except ValueError:
        return "skipped"
    now = now or timezone.now()
    message = _lease(message_id, now)
    if message is None:
        return "skipped"
    handler = DECLARED.get(message.task)
    started = time.monotonic()
    try:
        current_app.tasks[message.task].run(message_id=message_id, **message.payload)
    except Exception as exc:
        schedule = handler.retry_schedule() if handler else ()
        attempts = message.attempts + 1
        if attempts > len(schedule):
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=attempts,
                failed_at=timezone.now(),
                leased_until=None,
                last_error=str(exc)[:300],
            )
            logger.error("Outbox %s (%s) failed for good: %s", message.pk, message.task, exc)
            return "failed"
        wait = schedule[attempts - 1]
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts,
            due_at=timezone.now() + timedelta(seconds=wait),
            leased_until=None,
            last_error=str(exc)[:300],
        )
        logger.warning(
            "Outbox %s (%s) attempt %d failed (%s); next in %d s",
            message.pk,
            message.task,
            attempts,
            exc,
            wait,
        )
        return "retry"
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=message.attempts + 1, sent_at=timezone.now(), leased_until=None, last_error=""
    )
    logger.info(
        "Outbox %s (%s) delivered in %.0f ms",
        message.pk,
        message.task,
        (time.monotonic() - started) * 1000,
    )
    return "sent"


def outbox_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """Send again every message that is due and not sent: its first send never reached a
    worker (broker down), a worker died holding it, or a retry is due. A message written a
    moment ago is left to its own send (OUTBOX_RESEND_AFTER)."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER)
    due = list(
        OutboxMessage.objects.pending()
        .filter(due_at__lte=now)
        .filter(Q(created_at__lte=settled) | Q(attempts__gt=0))
        .filter(Q(leased_until=None) | Q(leased_until__lt=now))
        .order_by("due_at")
        .values_list("pk", flat=True)[:batch]
    )
    for message_id in due:
        _send(OUTBOX_DELIVER, (str(message_id),))
    if due:
        logger.info("Outbox sweep: %d message(s) sent again", len(due))
    return len(due)


# --- Channel-layer messages ---------------------------------------------------------------------


def group_send(group: str, message: dict) -> None:
    """After the commit, one message to every socket of a channel-layer group."""
    transaction.on_commit(lambda: _layer_send("group_send", group, message))


def channel_send(channel: str, message: dict) -> None:
    """After the commit, one message to one socket's channel."""
    transaction.on_commit(lambda: _layer_send("send", channel, message))


def _layer_send(method: str, target: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop()
    if loop is not None:
        # A request thread of a server: the server's loop sends it, in order, and the request
        # does not wait (under load, waiting for the loop to make the layer's round trips was
        # half of a camera-on request's time — bench/load.py, issue 40).
        _sender(loop).put(method, target, message)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a worker, a command, a test: sent on this process's own loop
        future = asyncio.run_coroutine_threadsafe(
            getattr(layer, method)(target, message), _process_loop()
        )
        try:
            future.result(timeout=LAYER_SEND_TIMEOUT)
        except Exception as exc:  # a socket that misses a message re-reads its state
            future.cancel()
            logger.warning("Channel layer %s to %s failed: %r", method, target, exc)
        return
    try:
        async_to_sync(getattr(layer, method))(target, message)
    except Exception as exc:  # a socket that misses a message re-reads its state on reconnect
        logger.warning("Channel layer %s to %s failed: %r", method, target, exc)


LAYER_SEND_TIMEOUT = 10.0  # seconds a worker waits for one channel-layer send
_process_loop_lock = threading.Lock()
_process_loop_of: dict[int, asyncio.AbstractEventLoop] = {}  # by process id


def _process_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, running on a thread of its own, for the channel-layer sends
    of code outside a server (a Celery worker, a command, a test). `async_to_sync` made a new
    loop per send, and the Redis layers a new connection per loop: ~4 ms of CPU per message,
    against ~0.4 ms on a loop that stays (issue 40). Keyed by process id: a forked child
    (Celery's pool) inherits no thread, and starts its own loop."""
    pid = os.getpid()
    loop = _process_loop_of.get(pid)
    if loop is not None:
        return loop
    with _process_loop_lock:
        loop = _process_loop_of.get(pid)
        if loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="channel-layer-sends", daemon=True
            ).start()
            _process_loop_of.clear()  # a parent's loop, inherited by a fork, never runs here
            _process_loop_of[pid] = loop
    return loop


def _server_loop():
    """The running server loop this thread was called from (a request's sync thread), else
    None (a worker, a command, a test client: those send and wait)."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return loop
    return None  # on a loop already: not a request's sync thread


class _LoopSender:
    """The channel-layer messages of one server loop's request threads. At most
    LAYER_SEND_BACKLOG wait (a layer that is down must not hold them without bound: a socket
    that misses one re-reads its state).

    What waits when the loop comes to it leaves together: the messages for one target, in the
    order they were committed, as one `layer.batch` message (at most LAYER_BATCH_MAX each; the
    sockets unpack it, common.sockets), and the targets side by side. A channel-layer send is
    several Redis round trips, each waiting for the loop's turn: sent one by one, the 300
    camera-ons of bench/load.py's first ten seconds reached the boards 5–14 s after their
    requests were answered (issue 40). Order holds per target (a group, a channel), not across
    targets — no socket can tell, since each sees only its own groups' messages in order."""

    def __init__(self, loop) -> None:
        self.loop = loop
        self.queue: deque = deque()
        self.lock = threading.Lock()
        self.running = False

    def put(self, method: str, target: str, message: dict) -> None:
        with self.lock:
            if len(self.queue) >= LAYER_SEND_BACKLOG:
                self.queue.popleft()
                logger.warning("Channel layer backlog full: the oldest message was dropped")
            self.queue.append((method, target, message))
            if self.running:
                return
            self.running = True
        self.loop.call_soon_threadsafe(lambda: self.loop.create_task(self._drain()))

    async def _drain(self) -> None:
        layer = get_channel_layer()
        while True:
            with self.lock:
                if not self.queue:
                    self.running = False
                    return
                waiting = list(self.queue)
                self.queue.clear()
            by_target: dict[tuple[str, str], list[dict]] = {}
            for method, target, message in waiting:
                by_target.setdefault((method, target), []).append(message)
            await asyncio.gather(
                *(_send_batched(layer, m, target, msgs) for (m, target), msgs in by_target.items())
            )


LAYER_BATCH = "layer.batch"  # {"type": "layer.batch", "messages": [message, ...]}
LAYER_BATCH_MAX = 100


async def _send_batched(layer, method: str, target: str, messages: list[dict]) -> None:
    for first in range(0, len(messages), LAYER_BATCH_MAX):
        chunk = messages[first : first + LAYER_BATCH_MAX]
        message = chunk[0] if len(chunk) == 1 else {"type": LAYER_BATCH, "messages": chunk}
        try:
            await getattr(layer, method)(target, message)
        except Exception as exc:  # a socket that misses a message re-reads its state
            logger.warning("Channel layer %s to %s failed: %r", method, target, exc)


LAYER_SEND_BACKLOG = 10_000
_senders: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_senders_lock = threading.Lock()


def _sender(loop) -> _LoopSender:
    with _senders_lock:
        sender = _senders.get(loop)
        if sender is None:
            sender = _senders[loop] = _LoopSender(loop)
        return sender
