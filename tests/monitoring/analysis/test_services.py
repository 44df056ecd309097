"""Frame analysis on real photos (tests/fixtures/frames, built by make_frames.py)."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.analysis.checks import face_detector_installed
from monitoring.analysis.services import frame_analyze
from monitoring.faces.detectors import best_detector
from monitoring.models import FrameAnalysis, MonitoringImage
from monitoring.tasks import analyze_image
from tests.monitoring.conftest import FRAMES, store_frame

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(minutes=30)


def _store(app, name: str, seconds: int, kind: str = "camera") -> MonitoringImage:
    return store_frame(app, name, T0 + timedelta(seconds=seconds), kind)


def _flags(image) -> list[str]:
    return FrameAnalysis.objects.get(image=image).flags


@pytest.mark.parametrize(
    ("name", "faces", "flags"),
    [
        ("one_face.jpg", 1, []),
        ("one_face_dim.jpg", 1, []),
        ("two_faces.jpg", 2, ["multiple_faces"]),
        ("three_faces.jpg", 3, ["multiple_faces"]),
        ("no_face_coffee.jpg", 0, ["no_face"]),
        ("no_face_cat.jpg", 0, ["no_face"]),
        ("covered_black.jpg", 0, ["camera_covered"]),
        ("covered_dark_noise.jpg", 0, ["camera_covered"]),
    ],
)
def test_each_fixture_gets_the_right_answer(acme, name, faces, flags):
    image = _store(acme.application, name, 0)
    result, _ = frame_analyze(image_id=image.id)
    assert result.face_count == faces
    assert result.flags == flags
    assert result.detector == best_detector().name and result.detector_version
    assert len(result.faces) == faces and all(f["w"] > 20 for f in result.faces)


def test_frozen_frame_and_moved_frame(acme):
    first = _store(acme.application, "one_face.jpg", 0)
    frozen = _store(acme.application, "one_face_frozen.jpg", 10)
    moved = _store(acme.application, "one_face_moved.jpg", 20)
    identical = _store(acme.application, "one_face_moved.jpg", 30)
    for image in (first, frozen, moved, identical):
        frame_analyze(image_id=image.id)
    assert _flags(first) == []
    assert _flags(frozen) == ["frozen_frame"]
    assert _flags(moved) == []
    assert _flags(identical) == ["frozen_frame"]  # identical bytes
    assert FrameAnalysis.objects.get(image=frozen).previous_id == first.id


def test_covered_goes_before_frozen(acme):
    a = _store(acme.application, "covered_black.jpg", 0)
    b = _store(acme.application, "covered_black.jpg", 10)
    frame_analyze(image_id=a.id)
    frame_analyze(image_id=b.id)
    assert _flags(b) == ["camera_covered"]


def test_tasks_in_any_order_compare_in_capture_order(acme):
    one = _store(acme.application, "one_face.jpg", 0)
    two = _store(acme.application, "one_face_moved.jpg", 10)
    three = _store(acme.application, "one_face_moved.jpg", 20)
    for image in (three, one, two):
        analyze_image.delay(image.id)
    assert (_flags(one), _flags(two), _flags(three)) == ([], [], ["frozen_frame"])
    assert FrameAnalysis.objects.get(image=three).previous_id == two.id


def test_late_frame_makes_its_successor_compare_again(acme, django_capture_on_commit_callbacks):
    """Frame 2 reaches the server after frame 3 was analysed (a queue draining late)."""
    one = _store(acme.application, "one_face.jpg", 0)
    three = _store(acme.application, "one_face_moved.jpg", 20)
    analyze_image.delay(one.id)
    analyze_image.delay(three.id)
    assert _flags(three) == []  # compared with frame 1 for now
    two = _store(acme.application, "one_face_moved.jpg", 10)
    with django_capture_on_commit_callbacks(execute=True):
        analyze_image.delay(two.id)  # eager: queues the re-check of frame 3 after commit
    assert _flags(two) == []
    assert _flags(three) == ["frozen_frame"]
    assert FrameAnalysis.objects.get(image=three).previous_id == two.id


def test_running_twice_keeps_one_analysis(acme):
    image = _store(acme.application, "two_faces.jpg", 0)
    analyze_image.delay(image.id)
    analyze_image.delay(image.id)
    assert FrameAnalysis.objects.filter(image=image).count() == 1


def test_deleted_image_is_skipped(acme):
    image = _store(acme.application, "one_face.jpg", 0)
    image_id = image.id
    image.delete()
    assert frame_analyze(image_id=image_id) == (None, None)


def test_screen_change_fraction(acme):
    a = _store(acme.application, "no_face_coffee.jpg", 0, kind="screen")
    b = _store(acme.application, "no_face_coffee.jpg", 30, kind="screen")
    c = _store(acme.application, "no_face_cat.jpg", 60, kind="screen")
    for image in (a, b, c):
        frame_analyze(image_id=image.id)
    assert FrameAnalysis.objects.get(image=a).change_fraction is None
    assert FrameAnalysis.objects.get(image=b).change_fraction == 0.0
    assert FrameAnalysis.objects.get(image=c).change_fraction > 0.5
    assert _flags(c) == []


def test_listing_carries_analysis_as_design_says(acme, token_client_for):
    camera = _store(acme.application, "two_faces.jpg", 0)
    screen = _store(acme.application, "no_face_cat.jpg", 0, kind="screen")
    frame_analyze(image_id=camera.id)
    frame_analyze(image_id=screen.id)
    _store(acme.application, "one_face.jpg", 10)  # not analysed yet
    body = (
        token_client_for(acme.recruiter)
        .get(f"/api/applications/{acme.application.id}/monitoring-images/")
        .json()
    )
    first = body["camera"][0]["analysis"]
    assert set(first) == {"face_count", "brightness", "flags"}
    assert first["face_count"] == 2 and first["flags"] == ["multiple_faces"]
    assert body["camera"][1]["analysis"] is None
    assert body["screen"][0]["analysis"] == {"change_fraction": None, "flags": []}


@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("no_face_coffee.jpg", ["no_face"]),
        ("two_faces.jpg", ["multiple_faces"]),
        ("one_face.jpg", []),
        ("covered_dark_noise.jpg", ["camera_covered"]),
    ],
)
def test_upload_through_the_api_is_analysed(
    consented, token_client_for, django_capture_on_commit_callbacks, name, flags
):
    """The whole path: the server re-encodes (JPEG q80) and analyses what it stored."""
    data = base64.b64encode((FRAMES / name).read_bytes()).decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client_for(consented.candidate).post(
            f"/api/applications/{consented.application.id}/monitoring-images/",
            {"image_type": "camera", "image_data": data},
            format="json",
        )
    assert response.status_code == 201
    assert FrameAnalysis.objects.get(image_id=response.json()["id"]).flags == flags


def test_system_check_fails_loudly_without_a_detector(settings):
    best_detector.cache_clear()
    settings.ANALYSIS_DETECTOR = "no-such-detector"
    try:
        errors = face_detector_installed(None)
        assert [e.id for e in errors] == ["monitoring.E001"]
    finally:
        best_detector.cache_clear()
    settings.ANALYSIS_DETECTOR = ""
    assert face_detector_installed(None) == []
