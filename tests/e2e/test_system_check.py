"""The system check in Chromium: a candidate whose camera shows a face passes every step and
nothing is stored but the result (objects and rows counted before and after); with camera
permission denied the camera step is red with its hint and the interview page says the same;
a throttled upload link (the browser's network conditions) gets the slow-link warning."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

from applications.models import JobApplication
from tests.e2e.conftest import login, screenshot, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.unchecked]

WAIT_MS = 45_000
DENY_CAMERA = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
"""


def _rows() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in ("sessions.Session", "axes.AccessLog", "axes.AccessAttempt")
    }


def _objects(bucket) -> list[str]:
    return [o["Key"] for o in bucket.list_objects_v2(Bucket=bucket.bucket).get("Contents", [])]


def test_a_candidate_with_a_camera_passes_and_only_the_result_is_kept(
    acme, face_browser, base_url, password, bucket
):
    context = face_browser.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.wait_for_url(f"**/interview/{acme.application.id}/check/")  # the first visit
    rows, objects = _rows(), _objects(bucket)

    page.get_by_role("button", name="Run the check").click()
    expect(page.locator("[data-summary]")).to_contain_text("passed every check", timeout=WAIT_MS)
    for name in ("browser", "camera", "face", "screen", "upload", "clock"):
        expect(page.locator(f'[data-step="{name}"]')).to_have_attribute("data-state", "ok")
    expect(page.locator('[data-step="camera"] [data-detail]')).to_contain_text("640×480")

    page.get_by_role("button", name="Take a practice capture").click()
    expect(page.locator("[data-practice-status]")).to_contain_text("1 face(s)", timeout=WAIT_MS)
    expect(page.locator("[data-practice-camera]")).to_be_visible()
    expect(page.locator("[data-practice-screen]")).to_be_visible()
    screenshot(page, "system-check")

    check = JobApplication.objects.get(pk=acme.application.pk).system_check
    assert check["passed"] is True
    steps = {step["name"]: step for step in check["steps"]}
    assert steps["camera"]["width"] == 640 and steps["face"]["face_count"] == 1
    assert steps["upload"]["mbps"] > 0 and "offset_ms" in steps["clock"]
    # Nothing stored by the check (test frames, timed upload, practice) but its result.
    assert _objects(bucket) == objects == []
    assert _rows() == rows

    page.get_by_role("link", name="Continue to the interview").click()
    expect(page.get_by_role("button", name="I agree — continue")).to_be_visible()
    context.close()


def test_a_denied_camera_is_red_with_its_hint_and_the_interview_page_says_the_same(
    acme, browser, base_url, password, bucket
):
    context = browser.new_context(viewport={"width": 1366, "height": 860})
    context.add_init_script(DENY_CAMERA)
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/check/")
    page.get_by_role("button", name="Run the check").click()
    camera = page.locator('[data-step="camera"]')
    expect(camera).to_have_attribute("data-state", "fail", timeout=WAIT_MS)
    expect(camera).to_contain_text("Camera permission was denied")
    expect(page.locator('[data-step="face"]')).to_have_attribute("data-state", "fail")
    expect(page.locator("[data-summary]")).to_contain_text("checks failed", timeout=WAIT_MS)
    assert JobApplication.objects.get(pk=acme.application.pk).system_check["passed"] is False

    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-message]")).to_contain_text("Camera permission was denied")
    context.close()


def test_a_throttled_upload_gets_the_slow_link_warning(acme, browser, base_url, password, bucket):
    JobApplication.objects.filter(pk=acme.application.pk).update(
        camera_interval=2, screen_interval=2
    )
    context = browser.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/check/")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 16_000},
    )
    page.get_by_role("button", name="Run the check").click()
    upload = page.locator('[data-step="upload"]')
    expect(upload).to_have_attribute("data-state", "fail", timeout=WAIT_MS)
    expect(upload).to_contain_text("Your connection is slow")
    expect(page.locator('[data-step="clock"]')).to_have_attribute("data-state", "ok")
    # The page shows the result at once and saves it after (over the throttled link).
    saved = lambda: JobApplication.objects.get(pk=acme.application.pk).system_check  # noqa: E731
    assert wait_until(page, lambda: saved() is not None, timeout_ms=WAIT_MS * 2)
    upload_step = next(step for step in saved()["steps"] if step["name"] == "upload")
    assert upload_step["passed"] is False and upload_step["mbps"] < upload_step["needed_mbps"] * 2
    context.close()


def test_the_interview_page_says_in_plain_words_when_no_face_is_seen(
    acme, browser, face_browser, base_url, password, bucket
):
    """The suite's fake camera shows a test card, no face: after a few seconds the page says
    so, with what to do; a camera that shows a face never gets that alert (its still photo is,
    rightly, a frozen picture: the page says that instead)."""
    JobApplication.objects.filter(pk=acme.application.pk).update(
        camera_interval=2, screen_monitoring=False
    )
    for _camera, chromium, expect_alert in (
        ("test card", browser, True),
        ("face", face_browser, False),
    ):
        context = chromium.new_context(viewport={"width": 1366, "height": 860})
        page = context.new_page()
        login(page, base_url, "john", password)
        page.goto(f"{base_url}/interview/{acme.application.id}/check/")
        page.goto(f"{base_url}/interview/{acme.application.id}/")
        if page.get_by_role("button", name="I agree — continue").is_visible():
            page.get_by_role("button", name="I agree — continue").click()
        page.get_by_role("button", name="Turn camera on").click()
        alert = page.locator("[data-check-alert]")
        if expect_alert:
            expect(alert).to_contain_text("We can't see your face", timeout=WAIT_MS)
            expect(alert).to_have_attribute("role", "alert")
            screenshot(page, "interview-check-alert")
        else:
            expect(alert).to_contain_text("not changing", timeout=WAIT_MS)
            expect(alert).not_to_contain_text("can't see your face")
        page.get_by_role("button", name="Turn camera off").click()
        context.close()
