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
