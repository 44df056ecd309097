"""What a new candidate tripped on (issue 36, point 5), in Chromium: after "I agree" the next
step is in view and focused (also at 375 px), the first agreement says what to do next (not
"Monitoring resumes."), a page opened again counts what is stored and says to turn the camera
on, a phone is told to use a computer where the job shares the screen, the full-screen
preview has a visible way out, and "Forgot password?" leads to a new password."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organization
from accounts.passwords import password_reset_url
from applications.models import JobApplication
from common.models import OutboxMessage
from tests.e2e.conftest import login, screenshot
from tests.factories import MonitoringConsentFactory, MonitoringImageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000
NARROW = {"width": 375, "height": 740}
NEW_PASSWORD = "a-long-fresh-passphrase-42"
NO_SCREEN_SHARE = "delete MediaDevices.prototype.getDisplayMedia;"


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_after_i_agree_the_camera_is_in_view_and_focused_on_a_phone(
    acme, browser, base_url, password
):
    JobApplication.objects.filter(pk=acme.application.pk).update(screen_monitoring=False)
    # No reference photo asked for: the camera is the next step (with one, the photo step is:
    # tests/e2e/test_identity.py).
    Organization.objects.filter(pk=acme.organization.pk).update(identity_check="off")
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    agree = page.get_by_role("button", name="I agree — continue")
    agree.scroll_into_view_if_needed()
    agree.click()
    expect(page.locator("#toasts")).to_contain_text("Turn your camera on to begin.")
    expect(page.locator("#toasts")).not_to_contain_text("resumes")
    toggle = page.get_by_role("button", name="Turn camera on")
    expect(toggle).to_be_focused()
    assert _in_view(page, "#camera-card")
    context.close()


def test_a_phone_is_told_to_use_a_computer_when_the_job_shares_the_screen(
    acme, browser, base_url, password
):
    context = browser.new_context(viewport=NARROW)
    context.add_init_script(NO_SCREEN_SHARE)
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    expect(page.locator("[data-needs-computer]")).to_be_visible()
    expect(page.locator("[data-needs-computer]")).to_contain_text("please join from a computer")
    page.get_by_role("button", name="I agree — continue").click()
    expect(page.locator("[data-share-message]")).to_contain_text("please join from a computer")
    expect(page.get_by_role("button", name="Share entire screen")).to_be_disabled()
    context.close()


def test_a_page_opened_again_counts_what_is_stored_and_says_what_to_do(
    acme, page, base_url, password
):
    app = acme.application
    MonitoringConsentFactory(application=app)
    JobApplication.objects.filter(pk=app.pk).update(started_at=timezone.now())
    last = timezone.now() - timedelta(minutes=3)
    for i in range(10):
        MonitoringImageFactory(
            application=app, captured_at=last - timedelta(seconds=30 * i), received_at=last
        )
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{app.id}/")
    expect(page.locator("[data-uploaded]")).to_have_text("10")
    expect(page.locator("[data-last-upload]")).not_to_have_text("none yet")
    expect(page.locator("[data-camera-message]")).to_contain_text(
        "Welcome back — 10 capture(s) of this interview are stored. Turn your camera on again"
    )
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-message]")).to_be_hidden(timeout=WAIT_MS)


def test_the_full_screen_preview_has_a_visible_close_button(acme, page, base_url, password):
    MonitoringConsentFactory(application=acme.application)
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-badge]")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Full-screen preview").click()
    close = page.get_by_role("button", name="Close full screen")
    expect(close).to_be_visible(timeout=WAIT_MS)
    expect(close).to_be_focused()
    close.click()
    expect(close).to_be_hidden()
    assert page.evaluate("document.fullscreenElement") is None


def test_the_withdrawn_page_links_to_a_list_that_has_the_download(acme, page, base_url, password):
    JobApplication.objects.filter(pk=acme.application.pk).update(status="invited")
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw my consent to monitoring").click()
    page.get_by_role("link", name="download your copy").click()
    expect(page.get_by_role("link", name="Download my data")).to_be_visible()


def test_forgot_password_leads_to_a_new_password(acme, page, base_url, password):
    acme.candidate.email = "john@example.com"
    acme.candidate.save()
    page.goto(base_url + "/accounts/login/")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("E-mail address").fill("john@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    # The server wrote the e-mail to its outbox (the user's id, no link); the link is the one
    # its sender makes (the server is another process: its mail is not readable here).
    assert OutboxMessage.objects.filter(
        task="accounts.send_password_reset_email",
        payload={"user_id": acme.candidate.pk, "language": "en"},
    ).exists()
    link = password_reset_url(user=acme.candidate).replace(settings.SITE_URL, base_url)
    page.goto(link)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    screenshot(page, "password-reset")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()
    login(page, base_url, "john", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/interview/$"))
