"""The embedded storage (local files behind signed links) under the same browser policy:
board snapshots and timeline thumbnails load, and nothing violates the CSP."""

import base64
import io

import pytest
import requests
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from tests.e2e.conftest import E2E_STREAM_TIMEOUT, login
from tests.factories import MonitoringConsentFactory
from tests.processes import asgi_server, child_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOADED = "(s) => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth; }"


@pytest.fixture(scope="module")
def local_server(django_db_setup, tmp_path_factory):
    env = child_env(CAMERA_STREAM_TIMEOUT=str(E2E_STREAM_TIMEOUT * 5))
    for key in ("AWS_S3_BUCKET_NAME", "AWS_ENDPOINT_URL_S3"):
        env.pop(key, None)
    with asgi_server(env, tmp_path_factory.mktemp("local") / "asgi.log") as url:
        yield url


def _jpeg() -> str:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, format="JPEG")
    return base64.b64encode(out.getvalue()).decode()


def test_local_signed_images_load_on_the_board_and_the_timeline(acme, page, local_server, password):
    MonitoringConsentFactory(application=acme.application)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=acme.candidate)[0].key}"}
    app_id = acme.application.id
    status = requests.post(
        f"{local_server}/api/camera/status",
        json={"is_active": True, "application_id": app_id},
        headers=headers,
        timeout=10,
    )
    assert status.status_code == 200, status.text
    upload = requests.post(
        f"{local_server}/api/applications/{app_id}/monitoring-images/",
        json={
            "image_type": "camera",
            "image_data": _jpeg(),
            "captured_at": timezone.now().isoformat(),
        },
        headers=headers,
        timeout=10,
    )
    assert upload.status_code == 201, upload.text

    login(page, local_server, "rita", password)
    page.goto(local_server + "/console/live/")
    snapshot = page.locator(".stream-card img.stream-snapshot")
    expect(snapshot).to_be_visible(timeout=15_000)
    assert snapshot.get_attribute("src").startswith("/media/signed/")
    page.wait_for_function(LOADED, arg="img.stream-snapshot", timeout=15_000)

    page.goto(f"{local_server}/console/applications/{app_id}/")
    expect(page.locator(".thumb img")).to_have_count(1, timeout=15_000)
    # Thumbnails load as they come into view: the cards above the timeline (identity,
    # proctoring, decision) put its first row below the fold.
    page.locator(".thumb img").scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=".thumb img", timeout=15_000)
    assert page.locator(".thumb img").get_attribute("src").startswith("/media/signed/")
