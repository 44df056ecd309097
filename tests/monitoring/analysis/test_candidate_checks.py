"""The candidate's page hears what the checks of their newest camera frame say (the presence
socket's `check` message): the failing check, since when the frames fail it, what to do in
plain words — and that it is over once a frame passes. Only the candidate's newest frame."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.services import page as page_service
from monitoring.analysis.services import image_analyze
from monitoring.models import ImageType
from tests.factories import CameraStreamFactory
from tests.monitoring.conftest import store_frame

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(minutes=5)


@pytest.fixture
def told(acme, monkeypatch):
    """What reached the candidate's page (its presence channel), in order."""
    CameraStreamFactory(
        user=acme.candidate, application=acme.application, presence_channel="page-1"
    )
    sent = []
    monkeypatch.setattr(
        page_service.pipeline, "channel_send", lambda channel, msg: sent.append((channel, msg))
    )
    return sent


def _frame(acme, name: str, seconds: int):
    image = store_frame(acme.application, name, T0 + timedelta(seconds=seconds))
    image_analyze(image_id=image.id)
    return image


def test_a_failing_check_is_told_with_its_start_and_plain_words(acme, told):
    _frame(acme, "one_face.jpg", 0)
    _frame(acme, "no_face_coffee.jpg", 10)
    _frame(acme, "no_face_cat.jpg", 20)
    messages = [msg["message"] for channel, msg in told if channel == "page-1"]
    assert [m["check"] for m in messages] == [None, "no_face", "no_face"]
    assert messages[2]["since"] == (T0 + timedelta(seconds=10)).isoformat()
    assert messages[2]["message"].startswith("We can't see your face")
    assert all(msg["type"] == "watch.relay" for _, msg in told)


def test_a_passing_frame_ends_it(acme, told):
    _frame(acme, "two_faces.jpg", 0)
    _frame(acme, "one_face.jpg", 10)
    last = told[-1][1]["message"]
    assert last == {"type": "check", "check": None, "since": None, "message": None}
    assert told[0][1]["message"]["message"].startswith("We see more than one face")


def test_an_older_frame_analysed_late_tells_nothing(acme, told):
    newest = store_frame(acme.application, "one_face.jpg", T0 + timedelta(seconds=20))
    image_analyze(image_id=newest.id)
    told.clear()
    late = store_frame(acme.application, "covered_black.jpg", T0 + timedelta(seconds=10))
    image_analyze(image_id=late.id)
    assert told == []


def test_no_page_no_message_and_screens_are_not_told(acme, monkeypatch):
    sent = []
    monkeypatch.setattr(page_service.pipeline, "channel_send", lambda *a: sent.append(a))
    _frame(acme, "no_face_coffee.jpg", 0)  # no camera stream: no page to tell
    store = store_frame(acme.application, "one_face.jpg", T0, kind=ImageType.SCREEN)
    image_analyze(image_id=store.id)
    assert sent == []


def test_a_frame_analysed_again_meanwhile_is_told_as_stored_with_its_run(acme, told):
    """The flags the analysis passes say "fine", but the frame's stored analysis fails a check
    by the time the page is told (analysed again meanwhile): the page hears the stored one,
    dated by its run — not a run of one frame."""
    from monitoring.analysis.services import checks_tell_candidate

    _frame(acme, "no_face_coffee.jpg", 0)
    image = _frame(acme, "no_face_cat.jpg", 10)
    told.clear()
    checks_tell_candidate(image=image, flags=[])
    message = told[-1][1]["message"]
    assert (message["check"], message["since"]) == ("no_face", T0.isoformat())
