"""Virtual cameras and extra screens (issue 32, point 1): the page reports the camera's label
with camera-on and whether the display is extended; the server decides what a label means."""

import pytest
from django.test import override_settings

from monitoring.identity.devices import virtual_camera_match
from monitoring.models import IntegrityEvent, MonitoringEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def john(consented, token_client_for):
    return token_client_for(consented.candidate)


@pytest.fixture
def rita(consented, token_client_for):
    return token_client_for(consented.recruiter)


def _camera(client, app, capture, *, on=True, label=None):
    body = {"is_active": on, "application_id": app.id}
    if label is not None:
        body["device_label"] = label
    with capture(execute=True):
        return client.post("/api/camera/status", body, format="json")


def _incidents(client, app, kind):
    incidents = client.get(f"/api/applications/{app.id}/integrity/").json()["incidents"]
    return [i for i in incidents if i["type"] == kind]


@pytest.mark.parametrize(
    "label",
    [
        "OBS Virtual Camera",
        "obs virtual camera (Windows)",
        "ManyCam Virtual Webcam",
        "Snap Camera",
        "XSplit VCam",
        "mmhmm",
        "CamTwist",
        "My  VIRTUAL   cam",
    ],
)
def test_labels_of_virtual_cameras_match_the_list(label):
    assert virtual_camera_match(label) is not None


@pytest.mark.parametrize(
    "label", ["", "FaceTime HD Camera", "Integrated Webcam (0bda:58f4)", "fake_device_0"]
)
def test_labels_of_real_cameras_do_not_match(label):
    assert virtual_camera_match(label) is None


def test_a_virtual_camera_turned_on_is_recorded_by_the_server(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    response = _camera(john, app, django_capture_on_commit_callbacks, label="OBS Virtual Camera")
    assert response.status_code == 200, response.json()
    [event] = MonitoringEvent.objects.filter(application=app, type="virtual_camera")
    assert "OBS Virtual Camera" in event.detail and event.sender == consented.candidate
    events = rita.get(f"/api/applications/{app.id}/events/").json()
    assert [e["type"] for e in events] == ["virtual_camera"]
    [incident] = _incidents(rita, app, "virtual_camera")
    assert "OBS Virtual Camera" in incident["reason"] and incident["points"] == 10
    assert rita.get(f"/api/applications/{app.id}/integrity/").json()["score"] == 90


def test_a_real_camera_records_nothing(consented, john, rita, django_capture_on_commit_callbacks):
    app = consented.application
    _camera(john, app, django_capture_on_commit_callbacks, label="FaceTime HD Camera")
    assert not MonitoringEvent.objects.filter(application=app).exists()
    assert _incidents(rita, app, "virtual_camera") == []


def test_heartbeats_do_not_repeat_it_and_each_camera_on_counts_once(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    capture = django_capture_on_commit_callbacks
    for _ in range(3):  # on, then heartbeats naming the label again
        _camera(john, app, capture, label="ManyCam Virtual Webcam")
    assert MonitoringEvent.objects.filter(type="virtual_camera").count() == 1
    _camera(john, app, capture, on=False)
    _camera(john, app, capture, label="ManyCam Virtual Webcam")
    assert len(_incidents(rita, app, "virtual_camera")) == 2
    assert IntegrityEvent.objects.filter(type="virtual_camera").count() == 2


@override_settings(IDENTITY_VIRTUAL_CAMERA_LABELS=["Acme Cam"])
def test_the_list_is_a_setting(consented, john, django_capture_on_commit_callbacks):
    app = consented.application
    _camera(john, app, django_capture_on_commit_callbacks, label="OBS Virtual Camera")
    assert not MonitoringEvent.objects.exists()
    _camera(john, app, django_capture_on_commit_callbacks, on=False)
    _camera(john, app, django_capture_on_commit_callbacks, label="ACME cam 2")
    assert MonitoringEvent.objects.filter(type="virtual_camera").count() == 1


def test_the_page_cannot_report_a_virtual_camera_itself(consented, john):
    app = consented.application
    response = john.post(
        f"/api/applications/{app.id}/events/", {"type": "virtual_camera"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert not MonitoringEvent.objects.exists()


def test_a_too_long_or_odd_label_is_refused_or_kept_short(consented, john):
    app = consented.application
    response = john.post(
        "/api/camera/status",
        {"is_active": True, "application_id": app.id, "device_label": "x" * 201},
        format="json",
    )
    assert response.status_code == 400 and response.json()["success"] is False
    response = john.post(
        "/api/camera/status",
        {"is_active": True, "application_id": app.id, "device_label": ["OBS"]},
        format="json",
    )
    assert response.status_code == 400


def test_a_second_display_is_a_page_event(consented, john, rita):
    app = consented.application
    response = john.post(
        f"/api/applications/{app.id}/events/",
        {"type": "extended_display", "detail": "2 screens"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    [event] = rita.get(f"/api/applications/{app.id}/events/").json()
    assert event["type"] == "extended_display" and event["detail"] == "2 screens"
