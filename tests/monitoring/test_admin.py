"""The Django admin: image list with signed thumbnails, delete removes the stored object."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.analysis.services import frame_analyze
from monitoring.models import AccessEvent, MonitoringImage
from tests.monitoring.conftest import b64, bucket_keys, image_bytes, store_frame

pytestmark = pytest.mark.django_db


def test_admin_lists_images_and_deletes_with_object(
    consented, s3, admin_user, client, token_client_for, django_capture_on_commit_callbacks
):
    token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/monitoring-images/",
        {"image_type": "camera", "image_data": b64(image_bytes(size=(64, 48)))},
        format="json",
    )
    image = MonitoringImage.objects.get()
    client.force_login(admin_user)
    listing = client.get("/admin/monitoring/monitoringimage/?image_type__exact=camera")
    assert listing.status_code == 200
    assert b"X-Amz-Signature" in listing.content  # thumbnail through a signed URL
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/monitoring/monitoringimage/",
            {"action": "delete_with_objects", "_selected_action": [image.pk]},
        )
    assert response.status_code == 302
    assert not MonitoringImage.objects.exists()
    assert bucket_keys(s3) == []
    assert AccessEvent.objects.filter(action="deleted").count() == 1
    assert client.get("/admin/monitoring/accessevent/").status_code == 200


def test_admin_filters_analyses_by_flag(acme, admin_user, client):
    now = timezone.now()
    for name, at in (("two_faces.jpg", 0), ("one_face.jpg", 10)):
        image = store_frame(acme.application, name, now + timedelta(seconds=at))
        frame_analyze(image_id=image.id)
    client.force_login(admin_user)
    page = client.get("/admin/monitoring/frameanalysis/?multiple_faces__exact=1")
    assert page.status_code == 200
    assert b"1 frame analysis" in page.content


def test_the_audit_log_shows_what_matters_first(acme, admin_user, client):
    for action, detail in (
        (AccessEvent.Action.URL_ISSUED, "routine-url"),
        (AccessEvent.Action.LISTED, "routine-list"),
        (AccessEvent.Action.CONSENT_GIVEN, "meaningful-consent"),
        (AccessEvent.Action.ERASED, "meaningful-erasure"),
    ):
        AccessEvent.objects.create(action=action, detail=detail, application=acme.application)
    client.force_login(admin_user)
    default = client.get("/admin/monitoring/accessevent/").content.decode()
    assert "meaningful-consent" in default and "meaningful-erasure" in default
    assert "routine-url" not in default and "routine-list" not in default
    routine = client.get("/admin/monitoring/accessevent/?kind=routine").content.decode()
    assert "routine-url" in routine and "meaningful-consent" not in routine
    everything = client.get("/admin/monitoring/accessevent/?kind=all").content.decode()
    assert all(d in everything for d in ("routine-url", "routine-list", "meaningful-consent"))
    # Asking for an action by name shows it, routine or not.
    by_action = client.get("/admin/monitoring/accessevent/?action=url_issued").content.decode()
    assert "routine-url" in by_action
