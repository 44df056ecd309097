"""Privacy: what erasure and retention remove of camera presence."""

from cameras.models import CameraEvent, CameraStream, ProctorMessage


def camera_history_delete(*, application_ids: list[int]) -> int:
    """Forget the camera history of these interviews: their on/off/silent events, their
    proctoring messages and hands, and the board picture and incident a stream still shows for
    them. Returns the rows deleted."""
    deleted, _ = CameraEvent.objects.filter(application_id__in=application_ids).delete()
    messages, _ = ProctorMessage.objects.filter(application_id__in=application_ids).delete()
    deleted += messages
    CameraStream.objects.filter(application_id__in=application_ids).update(
        snapshot_key="", snapshot_at=None, incident=None
    )
    return deleted


def camera_presence_erase(*, user_id: int) -> int:
    """Forget a person's camera presence altogether: their stream and every camera event."""
    deleted, _ = CameraEvent.objects.filter(user_id=user_id).delete()
    messages, _ = ProctorMessage.objects.filter(candidate_id=user_id).delete()
    deleted += messages
    streams, _ = CameraStream.objects.filter(user_id=user_id).delete()
    return deleted + streams
