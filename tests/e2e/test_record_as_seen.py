"""The walk of issue "Record as seen", replayed in Chromium: a candidate (fake camera) and a
recruiter side by side, the recruiter's browser in Asia/Tokyo.

The open timeline receives new captures without a reload; the page's own "Stop sharing"
records the stop, asks the candidate to share again, and the incident reaches the board and
the timeline when the rule says; a withdrawal is not scored; Finish changes no incident that
had ended; incidents read in the reviewer's zone on the timeline and the report; the counts
agree across header, summary, console and report. Conditions are awaited, nothing is timed.
"""

import re
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from applications.models import JobApplication, MonitoringConsent
from cameras.models import CameraEvent
from monitoring.models import IntegrityEvent, IntegrityRules, MonitoringEvent, MonitoringImage
from tests.e2e.conftest import BASE_DIR, e2e_env, login, screenshot, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 20_000
TOKYO = ZoneInfo("Asia/Tokyo")


def _sweep(bucket) -> None:
    """What beat runs every INTEGRITY_GAP_SWEEP_SECONDS, run by hand as an operator would."""
    subprocess.run(
        [sys.executable, "manage.py", "sweep_snapshot_gaps"],
        cwd=BASE_DIR,
        env=e2e_env(bucket),
        check=True,
        capture_output=True,
        timeout=120,
    )


def _tokyo(at) -> str:
    """A time as an en-US browser in Tokyo writes it with seconds: "07:05:52 PM"."""
    return at.astimezone(TOKYO).strftime("%I:%M:%S %p")


def _ended_incidents(application_id):
    return sorted(
        IntegrityEvent.objects.filter(application_id=application_id, ongoing=False).values_list(
            "id", "type", "started_at", "ended_at"
        )
    )


def test_the_record_holds_still_under_the_reviewers_eyes(acme, browser, base_url, password, bucket):
    app = acme.application
    JobApplication.objects.filter(pk=app.pk).update(
        status="invited", camera_interval=2, screen_interval=2, screen_monitoring=True
    )
    # The rule for a stopped share (and every sustained episode): 3 s instead of 20.
    IntegrityRules.objects.update_or_create(
        organization=acme.organization, defaults={"sustain_seconds": 3}
    )

    candidate_context = browser.new_context(viewport={"width": 1280, "height": 860})
    john = candidate_context.new_page()
    reviewer_context = browser.new_context(
        viewport={"width": 1366, "height": 860}, timezone_id="Asia/Tokyo", locale="en-US"
    )
    rita = reviewer_context.new_page()

    # --- The candidate begins: consent, start, camera, screen --------------------------------
    login(john, base_url, "john", password)
    john.goto(f"{base_url}/interview/{app.id}/")
    john.get_by_role("button", name="I agree — continue").click()
    john.get_by_role("button", name="Start interview").click()
    john.get_by_role("button", name="Turn camera on").click()
    john.get_by_role("button", name="Share entire screen").click()
    expect(john.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    assert wait_until(john, lambda: MonitoringImage.objects.filter(application=app).count() >= 2)

    # --- The recruiter's timeline, open, receives new captures without a reload -------------
    login(rita, base_url, "rita", password)
    rita.goto(f"{base_url}/console/applications/{app.id}/")
    expect(rita.locator("[data-live-updates]")).to_have_text("Updating live", timeout=WAIT_MS)
    expect(rita.locator(".thumb").first).to_be_visible(timeout=WAIT_MS)
    shown = rita.locator(".thumb").count()
    expect(rita.locator(".thumb")).not_to_have_count(shown, timeout=WAIT_MS)  # more, live
    assert rita.evaluate("window.invigilTimeline.live.received") > 0
    assert rita.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Tokyo"

    # --- The page's own "Stop sharing": the event, the prompt, the incident ------------------
    john.get_by_role("button", name="Stop sharing").click()
    prompt = john.locator("[data-share-message]")
    expect(prompt).to_contain_text("share it again", timeout=WAIT_MS)
    expect(john.get_by_role("button", name="Share entire screen")).to_have_class(
        re.compile("btn-attention")
    )
    screenshot(john, "interview-share-again")
    assert wait_until(
        john,
        lambda: MonitoringEvent.objects.filter(
            application=app, type="screen_share_stopped", detail="stopped on the page"
        ).exists(),
    )
    stopped = MonitoringEvent.objects.get(application=app, type="screen_share_stopped")
    john.wait_for_timeout(3_500)  # the rule's 3 s pass with no word from the page
    _sweep(bucket)
    (incident,) = IntegrityEvent.objects.filter(application=app, type="screen_share_stopped")
    assert incident.ongoing and incident.started_at == stopped.counted_at
    # The open timeline hears it; its time reads in Tokyo, not UTC.
    chip = rita.locator('.event-chip[data-event-type="incident-screen_share_stopped"]')
    expect(chip).to_be_visible(timeout=WAIT_MS)
    expect(chip).to_contain_text(f"Screen sharing stopped since {_tokyo(incident.started_at)}")
    expect(rita.locator("[data-incidents]")).not_to_contain_text("UTC")
    expect(rita.locator("[data-zone]")).to_contain_text("Asia/Tokyo (UTC+09:00)")
    # The live board shows it on the candidate's card.
    board = reviewer_context.new_page()
    board.goto(f"{base_url}/console/live/")
    expect(board.locator(".stream-incident")).to_contain_text(
        "Screen sharing stopped", timeout=WAIT_MS
    )
    board.close()
    # Sharing again ends the episode.
    john.get_by_role("button", name="Share entire screen").click()
    expect(john.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    expect(prompt).to_be_hidden()

    # --- A withdrawal is not scored ---------------------------------------------------------
    john.once("dialog", lambda dialog: dialog.accept())
    john.get_by_role("button", name="Withdraw my consent to monitoring").click()
    expect(john.locator("[data-withdrawn-when]")).to_contain_text("You withdrew your consent")
    john.wait_for_timeout(5_000)  # camera off and no snapshot for longer than any rule
    john.locator("[data-consent-withdrawn]").get_by_role(
        "button", name="Review the notice again"
    ).click()
    john.get_by_role("button", name="I agree — continue").click()
    john.get_by_role("button", name="Turn camera on").click()
    john.get_by_role("button", name="Share entire screen").click()
    expect(john.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    consents = MonitoringConsent.objects.filter(application=app).order_by("accepted_at")
    withdrawn_at = consents.first().withdrawn_at
    given_again = consents.last().accepted_at
    assert withdrawn_at is not None and given_again > withdrawn_at
    count = MonitoringImage.objects.filter(application=app).count()
    assert wait_until(john, lambda: MonitoringImage.objects.filter(application=app).count() > count)
    _sweep(bucket)
    within = IntegrityEvent.objects.filter(
        application=app, started_at__lt=given_again, ended_at__gt=withdrawn_at
    )
    assert not within.filter(type__in=("camera_off", "snapshot_gap", "screen_share_stopped"))
    expect(rita.locator('.event-chip[data-event-type="consent_withdrawn"]')).to_be_visible(
        timeout=WAIT_MS
    )

    # --- Finish re-judges nothing that had ended --------------------------------------------
    before = _ended_incidents(app.id)
    assert before, "the walk made incidents to compare"
    john.once("dialog", lambda dialog: dialog.accept())
    john.get_by_role("button", name="Finish interview").click()
    expect(john.locator("[data-finished]")).to_be_visible(timeout=WAIT_MS)
    app.refresh_from_db()
    assert app.status == "completed" and app.started_at < app.completed_at
    assert wait_until(
        john, lambda: not IntegrityEvent.objects.filter(application=app, ongoing=True).exists()
    )
    after = _ended_incidents(app.id)
    assert [row for row in after if row[0] in {b[0] for b in before}] == before

    # --- Counts agree; the report speaks Tokyo ----------------------------------------------
    events = (
        MonitoringEvent.objects.filter(application=app).count()
        + CameraEvent.objects.filter(application=app).count()
    )
    assert events > 0
    rita.goto(f"{base_url}/console/applications/{app.id}/")
    expect(rita.locator('[data-summary] [data-count="events"]')).to_have_text(f"{events} events")
    expect(rita.locator('[data-record] [data-cell="events"]')).to_have_text(f"{events} events")
    expect(rita.locator('[data-summary] [data-count="consent"]')).to_have_text(
        "3 consent answers"  # given, withdrawn, given again
    )
    incidents_shown = IntegrityEvent.objects.filter(application=app).count()
    assert incidents_shown > 0
    expect(rita.locator("[data-incidents] li")).to_have_count(incidents_shown)
    screenshot(rita, "timeline-tokyo")

    rita.goto(f"{base_url}/console/")
    row = rita.locator("tr", has_text="@john")
    expect(row.locator('[data-cell="events"]')).to_have_text(str(events))

    rita.goto(f"{base_url}/console/applications/{app.id}/report/")
    expect(rita.locator("[data-report-record]")).to_contain_text(f"{events} events")
    expect(rita.locator("[data-report-zone]")).to_contain_text("Asia/Tokyo")
    shared = IntegrityEvent.objects.get(application=app, type="screen_share_stopped")
    reason = rita.locator('tr[data-type="screen_share_stopped"] [data-reason]')
    expect(reason).to_contain_text(f"from {_tokyo(shared.started_at)}")
    expect(reason).not_to_contain_text("UTC")
    expect(rita.get_by_role("heading", name=f"Incidents ({incidents_shown})")).to_be_visible()
    screenshot(rita, "report-tokyo")

    candidate_context.close()
    reviewer_context.close()


def test_a_reload_ends_the_share_on_the_record_and_asks_again(
    acme, page, base_url, password, bucket
):
    app = acme.application
    JobApplication.objects.filter(pk=app.pk).update(
        status="invited", camera_interval=2, screen_interval=2, screen_monitoring=True
    )
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{app.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    page.get_by_role("button", name="Share entire screen").click()
    expect(page.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    assert wait_until(
        page,
        lambda: MonitoringEvent.objects.filter(
            application=app, type="screen_share_started"
        ).exists(),
    )

    page.reload()
    # The share ended with the old page: on the record (as the page went, or when it came
    # back without sharing), and the candidate is asked to share again.
    expect(page.locator("[data-share-message]")).to_contain_text("share it again", timeout=WAIT_MS)
    assert wait_until(
        page,
        lambda: MonitoringEvent.objects.filter(application=app)
        .order_by("-counted_at", "-id")
        .values_list("type", flat=True)
        .first()
        == "screen_share_stopped",
    )
    page.get_by_role("button", name="Share entire screen").click()
    expect(page.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("[data-share-message]")).to_be_hidden()
