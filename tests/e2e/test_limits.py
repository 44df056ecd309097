"""The page's upload queue honours Retry-After: a 429 makes it wait at least as long as the
server asked, then every capture is stored, once."""

import pytest
from playwright.sync_api import expect

from applications.models import JobApplication
from monitoring.models import MonitoringImage
from tests.e2e.conftest import login
from tests.processes import asgi_server, child_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def limited_server(django_db_setup, tmp_path_factory):
    env = child_env(RATE_LIMIT_ENABLED="true", RATE_LIMIT_UPLOAD_BURST="2")
    for key in ("AWS_S3_BUCKET_NAME", "AWS_ENDPOINT_URL_S3"):
        env.pop(key, None)
    with asgi_server(env, tmp_path_factory.mktemp("limited") / "asgi.log") as url:
        yield url


def test_the_queue_waits_as_long_as_the_server_asks(acme, page, limited_server, password):
    # 2 captures per (2 / 4 × 16 s) = 8 s: a third one waits for the window, not the backoff.
    JobApplication.objects.filter(pk=acme.application.pk).update(
        status="invited", camera_interval=16, screen_interval=3600
    )
    login(page, limited_server, "john", password)
    page.goto(f"{limited_server}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-badge]")).to_be_visible(timeout=15_000)
    for _ in range(4):
        page.get_by_role("button", name="Capture camera").click()
    status = page.locator("[data-upload-status]")
    expect(status).to_contain_text("Too many requests", timeout=15_000)
    waits = page.evaluate(
        "() => { const q = window.invigilPanel.queue; "
        "return { wait: q.retryAt - Date.now(), asked: q.lastError.retryAfter }; }"
    )
    assert waits["asked"] >= 2
    assert waits["wait"] >= (waits["asked"] - 1) * 1000  # not the ~1 s backoff
    for _ in range(60):
        if MonitoringImage.objects.count() >= 5:  # 4 manual + the first automatic one
            break
        page.wait_for_timeout(500)
    stored = list(MonitoringImage.objects.values_list("client_id", flat=True))
    assert len(stored) >= 5 and len(set(stored)) == len(stored)
