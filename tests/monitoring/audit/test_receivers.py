"""The audit log records every act it promises (README: "What the audit records"), including
what lower apps do (through signals) and URLs nobody asked for one by one (board pushes)."""

import pytest
from django.utils import timezone

from cameras.services import camera_stream_set_status, camera_stream_snapshot
from monitoring.models import AccessEvent
from tests.factories import MonitoringConsentFactory, MonitoringImageFactory

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AccessEvent.objects.order_by("id").values_list("action", flat=True))


def test_sign_in_and_failed_sign_in(acme, client, password):
    client.post(
        "/accounts/login/", {"username": "john", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
    )
    failed = AccessEvent.objects.get(action="sign_in_failed")
    assert failed.actor is None and failed.detail == "username 'john'" and failed.ip == "10.0.0.7"
    assert "wrong" not in failed.detail
    client.post("/accounts/login/", {"username": "john", "password": password})
    signed_in = AccessEvent.objects.get(action="signed_in")
    assert signed_in.actor == acme.candidate


def test_failed_token_request_is_recorded(acme, api_client):
    api_client.post("/api/auth/token/", {"username": "rita", "password": "nope"}, format="json")
    assert AccessEvent.objects.get(action="sign_in_failed").detail == "username 'rita'"


def test_consent_given_and_withdrawn(acme, token_client_for):
    client = token_client_for(acme.candidate)
    url = f"/api/applications/{acme.application.id}/consent/"
    client.post(url, {"accepted": True}, format="json", REMOTE_ADDR="10.1.1.1")
    client.post(url, {"accepted": False}, format="json")
    given, withdrawn = AccessEvent.objects.filter(action__startswith="consent").order_by("id")
    assert (given.action, withdrawn.action) == ("consent_given", "consent_withdrawn")
    assert given.actor == acme.candidate and given.application == acme.application
    assert given.ip == "10.1.1.1" and given.detail.startswith("notice ")


def test_status_change(acme, token_client_for):
    token_client_for(acme.recruiter).post(f"/api/applications/{acme.application.id}/withdraw/")
    change = AccessEvent.objects.get(action="status_changed")
    assert change.actor == acme.recruiter and change.detail == "in_progress → withdrawn"


def test_csv_export(acme, token_client_for):
    token_client_for(acme.recruiter).get(f"/api/applications/{acme.application.id}/export.csv")
    assert AccessEvent.objects.get(action="exported").actor == acme.recruiter


def test_a_board_push_with_a_snapshot_is_recorded_once_naming_its_groups(
    acme, django_capture_on_commit_callbacks
):
    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    image = MonitoringImageFactory(application=acme.application)
    with django_capture_on_commit_callbacks(execute=True):
        camera_stream_snapshot(
            user_id=acme.candidate.id,
            application_id=acme.application.id,
            key=image.file.name,
            captured_at=timezone.now(),
        )
    (push,) = AccessEvent.objects.filter(action="url_issued")
    assert push.actor is None
    assert push.audience == f"camera.board.all, camera.board.org.{acme.organization.id}"
    assert push.s3_key == image.file.name and push.image == image
    assert push.application == acme.application


def test_a_board_snapshot_on_connect_is_recorded_for_its_viewer(acme):
    from cameras.models import CameraStream
    from cameras.services import board_snapshot

    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    image = MonitoringImageFactory(application=acme.application)
    CameraStream.objects.update(snapshot_key=image.file.name, snapshot_at=timezone.now())
    message = board_snapshot(user=acme.recruiter)
    assert message["streams"][0]["snapshot_url"]
    (issued,) = AccessEvent.objects.filter(action="url_issued")
    assert issued.actor == acme.recruiter and issued.audience == ""


def test_admin_thumbnails_are_signed_through_the_audited_service(acme, admin_user, client):
    images = [MonitoringImageFactory(application=acme.application) for _ in range(3)]
    client.force_login(admin_user)
    page = client.get("/admin/monitoring/monitoringimage/")
    assert page.status_code == 200
    issued = AccessEvent.objects.filter(action="url_issued", actor=admin_user)
    assert {e.image_id for e in issued} == {i.id for i in images}
    assert b"/media/signed/" in page.content
    client.get(f"/admin/monitoring/monitoringimage/{images[0].id}/change/")
    assert AccessEvent.objects.filter(action="url_issued", actor=admin_user).count() == 4


def test_the_audit_admin_is_read_only_and_filterable(acme, admin_user, client):
    client.force_login(admin_user)
    client.post("/accounts/login/", {"username": "x", "password": "y"})
    base = "/admin/monitoring/accessevent/"
    assert client.get(base + "?action__exact=sign_in_failed").status_code == 200
    assert client.get(base + f"?actor__id__exact={admin_user.id}").status_code == 200
    assert client.get(base + f"?application__id__exact={acme.application.id}").status_code == 200
    event = AccessEvent.objects.first()
    change = client.post(f"{base}{event.id}/change/", {"detail": "edited"})
    assert change.status_code == 403
    assert client.post(f"{base}{event.id}/delete/", {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.filter(detail="edited").count() == 0
