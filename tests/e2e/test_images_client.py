"""static/monitoring/client.js in a real browser: capture from the fake camera, upload to S3
through uvicorn, list, sign in one batch, fetch the signed URL, delete."""

import pytest
from django.utils import timezone

from applications.models import MonitoringConsent
from applications.notice import CURRENT as NOTICE
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCRIPT = """async ({ applicationId }) => {
  const { MonitoringImages } = await import("/static/monitoring/client.js");
  const images = new MonitoringImages({ applicationId });
  const states = [];
  images.addEventListener("change", (e) => states.push(e.detail.isUploading));
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
  await video.play();
  await new Promise((r) => setTimeout(r, 300));
  const clientId = crypto.randomUUID();
  const first = await images.uploadCamera(images.captureCamera(video), { clientId });
  const again = await images.uploadCamera(images.captureCamera(video), { clientId });
  const screen = await images.uploadScreen(images.captureScreen(video));
  const listing = await images.getImages();
  const urls = await images.getImageUrls([first.s3Key, screen.s3Key]);
  const one = await images.getImageUrl(first.s3Key);
  const fetched = await fetch(one);
  let refused = null;
  try { await images.deleteImage(first.id); } catch (err) { refused = err.status; }
  video.srcObject.getTracks().forEach((t) => t.stop());
  return { first, again, screen, listing, urls, fetchedStatus: fetched.status,
           fetchedType: fetched.headers.get("content-type"), refused, states };
}"""


def test_client_uploads_lists_signs_and_respects_roles(acme, page, base_url, password, bucket):
    MonitoringConsent.objects.create(
        application=acme.application, notice_version=NOTICE, accepted_at=timezone.now()
    )
    login(page, base_url, "john", password)
    result = page.evaluate(SCRIPT, {"applicationId": acme.application.id})
    assert result["first"]["success"] is True
    assert result["again"]["id"] == result["first"]["id"]  # same client_id: stored once
    assert [i["id"] for i in result["listing"]["camera"]] == [result["first"]["id"]]
    assert len(result["listing"]["screen"]) == 1
    assert set(result["urls"]) == {result["first"]["s3Key"], result["screen"]["s3Key"]}
    assert result["fetchedStatus"] == 200
    assert result["refused"] == 403  # candidates never delete
    assert True in result["states"] and result["states"][-1] is False
    keys = sorted(o["Key"] for o in bucket.list_objects_v2(Bucket=bucket.bucket)["Contents"])
    assert keys == sorted([result["first"]["s3Key"], result["screen"]["s3Key"]])
