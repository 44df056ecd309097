"""Messages to the candidate's own interview page, on its presence socket (the newest one
registered for the interview): what the checks of their camera frames say, in plain words,
so that the candidate can fix it before it becomes an incident."""

from cameras.models import CameraStream
from cameras.watch import RELAY
from common import pipeline


def candidate_page_tell(*, user_id: int, application_id: int, message: dict) -> bool:
    """Send `message` (a type of the presence socket's catalogue) to the page after the
    commit; False when no page of the interview is connected (nothing is kept for later)."""
    channel = (
        CameraStream.objects.filter(user_id=user_id, application_id=application_id)
        .values_list("presence_channel", flat=True)
        .first()
    )
    if not channel:
        return False
    pipeline.channel_send(channel, {"type": RELAY, "message": message})
    return True
