"""The stale sweep: a stream whose heartbeats stopped leaves the boards by itself."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cameras import watch
from cameras.models import CameraEvent, CameraStream

from .board import ENDED, stream_announce
from .history import camera_event_record
from .status import camera_stream_stop

logger = logging.getLogger(__name__)


def camera_streams_end_stale(*, now: datetime | None = None) -> int:
    """End every stream whose heartbeat stopped; each board hears `stream.ended`. Also turn off
    any live stream whose interview may not be recorded any more (the applications receivers
    do that at once; this catches a change they never heard of).

    Live watches that reached LIVE_WATCH_MAX_SECONDS end here too.

    Safe to run concurrently (Celery beat and the embedded runner): rows are locked and
    re-checked, so each stale stream ends once.
    """
    now = now or timezone.now()
    watch.relay_after_commit(watch.watches_end_expired(now=now))
    for stream in CameraStream.objects.live(now=now).not_recordable().select_related("user")[:1000]:
        camera_stream_stop(user=stream.user, application_id=stream.application_id, now=now)
    ended = 0
    stale = CameraStream.objects.stale(now=now)
    for stream_id in list(stale.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            stream = stale.select_for_update().filter(pk=stream_id).first()
            if stream is None:
                continue
            stream = CameraStream.objects.select_related("user", "application__job").get(
                pk=stream.pk
            )
            camera_event_record(
                user_id=stream.user_id,
                application_id=stream.application_id,
                kind=CameraEvent.Kind.TIMEOUT,
                occurred_at=stream.last_updated,
            )
            stream.is_active = False
            stream.save(update_fields=["is_active"])
            stream_announce(ENDED, stream, ended_by="timeout")
            watch.relay_after_commit(
                watch.watches_end_for_candidate(
                    candidate_id=stream.user_id, reason=watch.Reason.CAMERA_OFF
                )
            )
            ended += 1
    if ended:
        logger.info("Ended %d stale camera stream(s)", ended)
    return ended
