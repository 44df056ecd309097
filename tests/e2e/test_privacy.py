"""Privacy in Chromium: withdrawing consent from the page stops camera, screen and captures
at once and the server ends the stream; a decline is recorded; the reviewer sees both on the
timeline; the candidate downloads their copy; a reviewer erases a record and reads the
receipt. Conditions are awaited; nothing asserts how fast."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from applications.models import JobApplication, MonitoringConsent
from cameras.models import CameraStream
from monitoring.models import ErasureJob, MonitoringImage
from tests.e2e.conftest import login, screenshot, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


def _start(page, base_url, acme, password):
    JobApplication.objects.filter(pk=acme.application.pk).update(
        status="invited", camera_interval=2, screen_interval=2
    )
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    page.get_by_role("button", name="Turn camera on").click()
    page.get_by_role("button", name="Share entire screen").click()
    expect(page.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)


def test_withdrawing_from_the_page_stops_everything(
    acme, browser, page, base_url, password, bucket
):
    _start(page, base_url, acme, password)
    assert wait_until(page, lambda: MonitoringImage.objects.count() >= 2)
    assert CameraStream.objects.get(user=acme.candidate).is_active

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw my consent to monitoring").click()
    expect(
        page.get_by_role("heading", name="Consent withdrawn — monitoring stopped")
    ).to_be_visible()
    # The time is the server's answer to the withdrawal (a busy server: up to WAIT_MS).
    expect(page.locator("[data-withdrawn-when]")).to_contain_text(
        "You withdrew your consent at", timeout=WAIT_MS
    )
    assert page.evaluate("window.invigilPanel.camera.isOn") is False
    assert page.evaluate("window.invigilPanel.screen.isSharing") is False
    # Nothing waits to be sent; the upload already on its way when the candidate withdrew
    # finishes or is refused by the server (queue.js `discard`) — on a busy box, after the
    # withdrawal's own answer. Whatever it was, nothing captured after the withdrawal is stored
    # (below).
    assert wait_until(page, lambda: page.evaluate("window.invigilPanel.queue.length") == 0)
    assert wait_until(page, lambda: not CameraStream.objects.get(user=acme.candidate).is_active)
    consent = MonitoringConsent.objects.get(application=acme.application)
    assert consent.withdrawn_at is not None
    screenshot(page, "interview-withdrawn")

    stored = MonitoringImage.objects.count()
    page.wait_for_timeout(5_000)  # two more capture intervals: nothing is taken or sent
    assert MonitoringImage.objects.count() == stored
    assert not MonitoringImage.objects.filter(captured_at__gt=consent.withdrawn_at).exists()

    rita = browser.new_context().new_page()
    login(rita, base_url, "rita", password)
    rita.goto(f"{base_url}/console/applications/{acme.application.id}/")
    expect(rita.locator("[data-event-type=consent_withdrawn]")).to_be_visible(timeout=WAIT_MS)
    expect(rita.locator("[data-event-type=consent_given]")).to_be_visible()
    rita.context.close()


def test_declining_is_recorded_and_survives_a_reload(acme, page, base_url, password):
    JobApplication.objects.filter(pk=acme.application.pk).update(status="invited")
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I do not agree").click()
    expect(page.get_by_role("heading", name="Monitoring declined")).to_be_visible()
    assert wait_until(
        page, lambda: MonitoringConsent.objects.filter(declined_at__isnull=False).exists()
    )
    page.reload()
    expect(page.get_by_role("heading", name="Monitoring declined")).to_be_visible()
    page.get_by_role("button", name="Review the notice again").click()
    expect(page.get_by_role("button", name="I agree — continue")).to_be_visible()


def test_the_candidate_downloads_and_the_reviewer_erases(
    acme, browser, page, base_url, password, bucket
):
    _start(page, base_url, acme, password)
    assert wait_until(page, lambda: MonitoringImage.objects.count() >= 3)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish interview").click()
    expect(page.get_by_role("heading", name="Interview finished")).to_be_visible(timeout=WAIT_MS)

    page.goto(f"{base_url}/interview/")
    screenshot(page, "interview-list")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    captures = [n for n in archive.namelist() if n.startswith("captures/")]
    assert len(captures) == MonitoringImage.objects.count()

    rita = browser.new_context().new_page()
    login(rita, base_url, "rita", password)
    rita.goto(f"{base_url}/console/applications/{acme.application.id}/")
    rita.once("dialog", lambda dialog: dialog.accept())
    rita.get_by_role("button", name="Erase the record…").click()
    expect(rita.locator("[data-erased]")).to_contain_text(
        "Interview record erased", timeout=WAIT_MS
    )
    screenshot(rita, "console-erased")
    job = ErasureJob.objects.get()
    assert job.state == "done" and job.objects_deleted == len(captures)
    assert bucket.list_objects_v2(Bucket=bucket.bucket).get("KeyCount", 0) == 0
    rita.context.close()


def test_the_privacy_page_states_the_real_window(acme, page, base_url, password):
    acme.organization.retention_days = 45
    acme.organization.save()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/privacy/")
    expect(page.locator("[data-retention-list]")).to_contain_text("Acme: 45 days")
    screenshot(page, "privacy")
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    expect(page.locator("[data-consent]")).to_contain_text("for 45 days after the interview")


def test_a_changed_notice_says_what_changed_and_asks_again(acme, page, base_url, password):
    """Consent to an older notice: the page shows what is new, recording waits for a yes."""
    from django.utils import timezone

    from applications.notice import CURRENT, notice_changes_since

    consent = MonitoringConsent.objects.create(
        application=acme.application, notice_version="2026-11", accepted_at=timezone.now()
    )
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    changes = page.locator("[data-notice-changes]")
    expect(changes).to_contain_text("The monitoring notice has changed since you agreed")
    expect(changes).to_contain_text(notice_changes_since("2026-11")[0][:40])
    expect(page.locator("[data-workspace]")).to_be_hidden()  # nothing is recorded meanwhile
    screenshot(page, "interview-notice-changed")
    page.get_by_role("button", name="I agree — continue").click()
    expect(page.locator("[data-workspace]")).to_be_visible()
    expect(changes).to_have_count(0)
    current = MonitoringConsent.objects.get(application=acme.application, replaced_at=None)
    assert current.notice_version == CURRENT and current.language
    consent.refresh_from_db()
    assert consent.replaced_at is not None  # kept in the history, replaced
