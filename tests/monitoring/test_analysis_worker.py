"""The analysis task through a real Celery worker on the Redis broker: twice → one analysis."""

import time
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from monitoring.models import FrameAnalysis, MonitoringImage
from monitoring.tasks import analyze_image
from tests.processes import celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FRAME = Path(__file__).resolve().parents[1] / "fixtures" / "frames" / "two_faces.jpg"


def test_task_sent_twice_to_a_real_worker_writes_one_analysis(
    acme, tmp_path, real_celery, settings
):
    data = FRAME.read_bytes()
    key = default_storage.save(
        f"monitoring/{acme.application.id}/camera/1-{uuid.uuid4()}.jpg", ContentFile(data)
    )
    image = MonitoringImage.objects.create(
        application=acme.application,
        image_type="camera",
        file=key,
        captured_at=timezone.now(),
        client_id=uuid.uuid4(),
        width=640,
        height=480,
        byte_size=len(data),
        sha256="0" * 64,
    )
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
