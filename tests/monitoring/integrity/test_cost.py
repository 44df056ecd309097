"""One new frame re-evaluates only the episodes it can touch: the rows it reads do not grow
with the interview (100 stored frames or 2,000, the same bound)."""

import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from monitoring.integrity.services import integrity_frame_changed, integrity_rebuild
from monitoring.models import FrameAnalysis, MonitoringImage
from tests.factories import CameraEventFactory, FrameAnalysisFactory, MonitoringImageFactory

pytestmark = pytest.mark.django_db

ROW_BOUND = 60


@contextmanager
def rows_read():
    """Count the rows the database hands back to Python (every fetch of every cursor)."""
    counter = {"rows": 0, "queries": 0}
    original = CursorWrapper.__getattr__

    def counting(self, name):
        value = original(self, name)
        if name not in ("fetchone", "fetchmany", "fetchall"):
            return value

        def fetch(*args, **kwargs):
            result = value(*args, **kwargs)
            counter["rows"] += (result is not None) if name == "fetchone" else len(result)
            return result

        return fetch

    CursorWrapper.__getattr__ = counting
    try:
        yield counter
    finally:
        CursorWrapper.__getattr__ = original


def _interview(app, frames: int, t0):
    """`frames` analysed captures 10 s apart: mostly fine, a sustained episode every 50."""
    images = MonitoringImage.objects.bulk_create(
        MonitoringImage(
            application=app,
            image_type="camera",
            file=f"monitoring/{app.id}/camera/{i}-{uuid.uuid4()}.jpg",
            captured_at=t0 + timedelta(seconds=10 * i),
            received_at=t0 + timedelta(seconds=10 * i + 1),
            uploaded_by=app.candidate,
            client_id=uuid.uuid4(),
            width=640,
            height=480,
            byte_size=1,
            sha256="0" * 64,
        )
        for i in range(frames)
    )
    FrameAnalysis.objects.bulk_create(
        FrameAnalysis(image=image, face_count=1, no_face=(i % 50) in (10, 11, 12))
        for i, image in enumerate(images)
    )
    integrity_rebuild(application_id=app.id)


def _rows_for_one_new_frame(app, frames: int) -> tuple[int, int]:
    t0 = timezone.now() - timedelta(seconds=10 * frames + 60)
    app.started_at, app.camera_interval = t0, 10
    app.save()
    CameraEventFactory(application=app, kind="on", occurred_at=t0)
    _interview(app, frames, t0)
    appended = MonitoringImageFactory(
        application=app, captured_at=t0 + timedelta(seconds=10 * frames)
    )
    FrameAnalysisFactory(image=appended, no_face=True, face_count=0)
    with rows_read() as at_the_end:
        integrity_frame_changed(image_id=appended.id)
    middle = MonitoringImageFactory(
        application=app, captured_at=t0 + timedelta(seconds=10 * (frames // 2) + 5)
    )
    FrameAnalysisFactory(image=middle, no_face=True, face_count=0)
    with rows_read() as in_the_middle:
        integrity_frame_changed(image_id=middle.id)
    return at_the_end["rows"], in_the_middle["rows"]


def test_rows_read_for_one_new_frame_do_not_grow_with_the_interview(acme, globex):
    small = _rows_for_one_new_frame(acme.application, 100)
    large = _rows_for_one_new_frame(globex.application, 2000)
    assert max(small) <= ROW_BOUND, small
    assert max(large) <= ROW_BOUND, large
    assert large[0] <= small[0] + 2 and large[1] <= small[1] + 2, (small, large)
