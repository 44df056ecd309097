"""Accessibility in Chromium: axe-core runs on every page of the browser suite (conftest) and a
serious or critical WCAG 2.1 A/AA violation fails the test. Here: the check is known to run
(a deliberately broken page makes it fail), every page of the product passes it for the
candidate and the reviewer, and the check and interview pages work with the keyboard alone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import AXE_VIOLATIONS, axe_check, login, screenshot
from tests.factories import MonitoringConsentFactory
from tests.monitoring.conftest import store_frame

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BROKEN = """<!doctype html><html><head><title>broken</title></head><body>
<img src="/static/img/logo.svg"><button></button><input type="text">
<p style="color:#eee;background:#fff">low contrast</p></body></html>"""


def test_a_broken_page_fails_the_axe_step(page, base_url):
    page.route(
        f"{base_url}/__broken__/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=BROKEN),
    )
    page.goto(f"{base_url}/__broken__/")
    page.wait_for_timeout(1500)  # the load-time run reports through the binding
    found = "\n".join(AXE_VIOLATIONS)
    for rule in ("image-alt", "button-name", "label", "html-has-lang", "color-contrast"):
        assert rule in found, found
    AXE_VIOLATIONS.clear()  # this test wanted them; the autouse check would fail it
    assert axe_check(page, "broken, on demand")  # the explicit run finds them too
    AXE_VIOLATIONS.clear()


def _visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    axe_check(page, url)


def test_every_page_passes_axe(acme, page, base_url, password, bucket):
    app = acme.application
    MonitoringConsentFactory(application=app)
    store_frame(app, "one_face.jpg", timezone.now() - timedelta(minutes=2))
    for url in ("/accounts/login/", "/accounts/password_reset/", "/privacy/"):
        _visit(page, base_url + url)
    login(page, base_url, "john", password)
    for url in ("/interview/", f"/interview/{app.id}/check/", f"/interview/{app.id}/"):
        _visit(page, base_url + url)
    page.set_viewport_size({"width": 375, "height": 740})
    _visit(page, f"{base_url}/interview/{app.id}/check/")
    wide = page.evaluate(
        "() => { const s = document.querySelector('.shell'); "
        "return s.scrollWidth - s.clientWidth; }"
    )
    assert wide <= 0, "the check page scrolls sideways at 375 px"
    screenshot(page, "system-check-narrow")
    page.set_viewport_size({"width": 1366, "height": 860})
    page.context.clear_cookies()
    login(page, base_url, "rita", password)
    for url in (
        "/console/",
        f"/console/applications/{app.id}/",
        f"/console/applications/{app.id}/report/",
        "/console/live/",
        "/console/flags/",
    ):
        _visit(page, base_url + url)
    page.set_viewport_size({"width": 375, "height": 740})
    for url in ("/console/", "/console/flags/"):
        _visit(page, base_url + url)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{url} scrolls sideways at 375 px"
    screenshot(page, "flags-narrow")


def _tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element is the one named; fails when it never comes."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.getAttribute"
            "('aria-label') || '').trim()"
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_check_and_interview_pages_work_with_the_keyboard_alone(acme, page, base_url, password):
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/check/")
    _tab_to(page, "Run the check")
    page.keyboard.press("Enter")
    expect(page.locator("[data-summary]")).to_contain_text("checks failed", timeout=30_000)
    _tab_to(page, "Continue to the interview")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/interview/{acme.application.id}/")
    _tab_to(page, "I agree — continue", limit=60)
    page.keyboard.press("Enter")
    _tab_to(page, "Turn camera on", limit=60)
    page.keyboard.press("Enter")
    expect(page.locator("[data-camera-badge]")).to_be_visible(timeout=15_000)
    _tab_to(page, "Share entire screen")
    page.keyboard.press("Enter")
    expect(page.locator("[data-screen-badge]")).to_be_visible(timeout=15_000)
    _tab_to(page, "Finish interview")
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Interview finished")).to_be_visible(timeout=30_000)
    axe_check(page, "interview finished")
