"""Accommodations and the triage queue in Chromium (issue 34, points 2 and 4): a reviewer
turns the tab check off before the interview begins (the form is gone once recording begins),
the hidden tab makes no incident, the report says which check was off, why and by whom; the
console puts the interview that ended without a decision first, and j / k / Enter walk it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import MonitoringConsent
from applications.notice import CURRENT as NOTICE
from monitoring.models import IntegrityEvent, IntegritySummary, MonitoringEvent
from tests.e2e.conftest import login, screenshot, wait_until
from tests.e2e.test_review_console import Api
from tests.factories import JobApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000
REASON = "Uses a screen reader in another window"


def test_an_accommodation_before_the_start_and_the_triage_keys(
    acme, page, base_url, password, bucket
):
    app = acme.application
    newer = JobApplicationFactory(job=acme.job, candidate__first_name="Nora", status="invited")
    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{app.id}/")
    card = page.locator("[data-accommodations]")
    card.get_by_label("Interview tab hidden").check()
    card.get_by_role("button", name="Save the accommodations").click()
    expect(page.locator("[data-accommodation-error]")).to_contain_text("Say why")
    card.get_by_label("Interview tab hidden").check()
    card.get_by_label("Why (shown on the report)").fill(REASON)
    card.get_by_role("button", name="Save the accommodations").click()
    expect(page.locator("[data-checks-off]")).to_contain_text("Interview tab hidden")
    expect(page.locator("[data-checks-off]")).to_contain_text(REASON)
    screenshot(page, "accommodations")

    # The candidate agrees and hides the tab for 30 s (≥ 10 s: an incident, were it on).
    MonitoringConsent.objects.create(
        application=app, notice_version=NOTICE, accepted_at=timezone.now()
    )
    api = Api(base_url, acme.candidate, app)
    start = timezone.now() - timedelta(minutes=3)
    for offset, kind in ((0, "tab_hidden"), (30, "tab_visible")):
        api.post(
            f"/api/applications/{app.id}/events/",
            {"type": kind, "occurred_at": (start + timedelta(seconds=offset)).isoformat()},
        )
    api.post(f"/api/applications/{app.id}/finish/", {})
    assert wait_until(page, lambda: IntegritySummary.objects.filter(application=app).exists())
    assert MonitoringEvent.objects.filter(application=app, type="tab_hidden").count() == 1
    assert not IntegrityEvent.objects.filter(application=app).exists()

    page.goto(f"{base_url}/console/applications/{app.id}/")
    expect(page.locator("[data-accommodations]")).to_have_count(0)  # locked: recording began
    page.goto(f"{base_url}/console/applications/{app.id}/report/")
    off = page.locator("[data-report-checks-off]")
    expect(off).to_contain_text("Interview tab hidden")
    expect(off).to_contain_text(REASON)
    expect(off).to_contain_text("Rita Reyes")

    # The console: the finished interview without a decision comes before the newer one.
    page.goto(f"{base_url}/console/")
    rows = page.locator(".console-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("John Carter")
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("k")
    expect(rows.first).to_have_class(re.compile(r"\bis-current\b"))
    screenshot(page, "console-triage")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/console/applications/{app.id}/")
    page.goto(f"{base_url}/console/?queue=needs_review")
    expect(rows).to_have_count(1)
    page.goto(f"{base_url}/console/?job={acme.job.pk}&sort=newest")
    expect(rows.first).to_contain_text(newer.candidate.display_name)
