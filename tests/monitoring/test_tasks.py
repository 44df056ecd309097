"""The analysis task through a real Celery worker on the Redis broker: twice → one analysis."""

import time

import pytest
from django.utils import timezone

from monitoring.models import FrameAnalysis
from monitoring.tasks import analyze_image
from tests.monitoring.conftest import store_frame
from tests.processes import celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_task_sent_twice_to_a_real_worker_writes_one_analysis(
    acme, tmp_path, real_celery, settings
):
    image = store_frame(acme.application, "two_faces.jpg", timezone.now())
    env = child_env(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    with celery_worker(env, tmp_path / "worker.log"):
        analyze_image.delay(image.id)
        analyze_image.delay(image.id)
        deadline = time.monotonic() + 30
        log = tmp_path / "worker.log"
        while log.read_text().count("monitoring.analyze_image") < 4 and time.monotonic() < deadline:
            time.sleep(0.2)  # "received" and "succeeded" lines for both tasks
    assert log.read_text().count("succeeded") >= 2, log.read_text()
    analysis = FrameAnalysis.objects.get(image=image)
    assert FrameAnalysis.objects.filter(image=image).count() == 1
    assert analysis.face_count == 2 and analysis.flags == ["multiple_faces"]
