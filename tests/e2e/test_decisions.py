"""The reviewer's decision flow in Chromium (issue 33): one incident dismissed, another
confirmed (the reviewed score moves, the automatic one does not), a note pinned to a minute
and one to a capture in the viewer, a `violation` decided and confirmed by a second reviewer
(four eyes), and the printed report showing all of it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Decision, MonitoringConsent
from applications.notice import CURRENT as NOTICE
from monitoring.models import IncidentVerdict, IntegrityEvent, ReviewNote
from tests.e2e.conftest import login, screenshot
from tests.e2e.test_review_console import Api
from tests.factories import RecruiterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


@pytest.fixture
def finished(acme, base_url, bucket):
    """john's finished interview: two camera captures, two incidents, an organization that
    asks for a second review of a violation, and a second reviewer (sam)."""
    app = acme.application
    MonitoringConsent.objects.create(
        application=app, notice_version=NOTICE, accepted_at=timezone.now()
    )
    api = Api(base_url, acme.candidate, app)
    start = timezone.now() - timedelta(minutes=20)
    for i in range(2):
        api.upload("camera", start + timedelta(seconds=30 * i), shade=i * 40)
    api.post(f"/api/applications/{app.id}/finish/", {})
    acme.organization.decision_second_review = True
    acme.organization.save()
    IntegrityEvent.objects.filter(application=app).delete()  # two known ones instead
    acme.no_face = IntegrityEvent.objects.create(
        application=app,
        type="no_face",
        started_at=start,
        ended_at=start + timedelta(seconds=100),
        frame_count=4,
        reason="No face visible",
    )
    acme.tab = IntegrityEvent.objects.create(
        application=app,
        type="tab_hidden",
        started_at=start + timedelta(minutes=5),
        ended_at=start + timedelta(minutes=6, seconds=30),
        reason="Tab hidden",
    )
    acme.second = RecruiterFactory(
        username="sam", first_name="Sam", last_name="Stone", organization=acme.organization
    )
    return acme


def _verdict(page, incident, button: str, note: str = "") -> None:
    page.locator(f'[data-incident-id="{incident.pk}"] button[data-verdict="{button}"]').click()
    dialog = page.locator("[data-verdict-dialog]")
    expect(dialog).to_be_visible()
    if note:
        dialog.get_by_label("Note").fill(note)
    dialog.get_by_role("button", name="Save the verdict").click()
    expect(page.locator(f'[data-incident-id="{incident.pk}"]')).to_have_attribute(
        "data-verdict", button, timeout=WAIT_MS
    )


def test_a_reviewer_judges_notes_and_decides_and_a_second_reviewer_confirms(
    finished, browser, page, base_url, password
):
    app = finished.application
    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{app.id}/")
    score = page.locator("[data-score]")
    reviewed = page.locator("[data-reviewed-score]")
    expect(page.locator("[data-incidents] li")).to_have_count(2, timeout=WAIT_MS)
    automatic = score.inner_text()
    assert reviewed.inner_text() == automatic and int(automatic) < 100

    _verdict(page, finished.no_face, "dismissed", note="Reading the task sheet, face in view")
    expect(reviewed).not_to_have_text(automatic, timeout=WAIT_MS)
    assert int(reviewed.inner_text()) > int(automatic)
    dismissed_score = reviewed.inner_text()
    expect(score).to_have_text(automatic)
    _verdict(page, finished.tab, "confirmed")
    expect(score).to_have_text(automatic)
    chip = page.locator(f'[data-incident-id="{finished.no_face.pk}"] [data-verdict-chip]')
    expect(chip).to_contain_text("Dismissed by Rita Reyes")

    # A note at a minute of the record, and one on a capture in the viewer.
    page.locator("[data-add-note]").first.click()
    note_dialog = page.locator("[data-note-dialog]")
    note_dialog.get_by_label("Text").fill("Looks to the left at length")
    note_dialog.get_by_role("button", name="Pin the note").click()
    expect(page.locator('[data-event-type="note"]')).to_contain_text(
        "Note by Rita Reyes: Looks to the left at length", timeout=WAIT_MS
    )
    page.locator("button.thumb").first.click()
    viewer = page.locator("[data-viewer]")
    expect(viewer).to_be_visible()
    viewer.get_by_role("button", name="Add a note on this capture").click()
    note_dialog.get_by_label("Text").fill("A phone on the desk")
    note_dialog.get_by_role("button", name="Pin the note").click()
    expect(viewer.locator("[data-viewer-note-list] li")).to_contain_text(
        "A phone on the desk", timeout=WAIT_MS
    )
    viewer.get_by_role("button", name="Close viewer").click()

    # The decision: a violation waits for a second reviewer; rita cannot confirm her own.
    panel = page.locator("[data-decision-panel]")
    panel.get_by_label("Violation").check()
    panel.get_by_label("Reason").fill("A phone in view and the tab hidden for 90 s")
    panel.get_by_role("button", name="Record the decision").click()
    expect(panel.locator("[data-decision-state]")).to_have_attribute(
        "data-decision-state", "pending_second_review", timeout=WAIT_MS
    )
    expect(panel.locator("[data-decision-confirm]")).to_be_hidden()
    page.locator("[data-integrity]").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('[data-integrity]').offsetTop - 70)")
    screenshot(page, "decisions")

    # Four eyes: sam confirms.
    other = browser.new_context(viewport={"width": 1366, "height": 860})
    sam = other.new_page()
    login(sam, base_url, "sam", password)
    sam.goto(f"{base_url}/console/applications/{app.id}/")
    confirm = sam.locator("[data-decision-confirm]")
    expect(confirm).to_be_visible(timeout=WAIT_MS)
    confirm.click()
    expect(sam.locator("[data-decision-state]")).to_have_attribute(
        "data-decision-state", "final", timeout=WAIT_MS
    )
    expect(sam.locator("[data-decision-current]")).to_contain_text("confirmed by Sam Stone")
    other.close()
    decision = Decision.objects.get()
    assert decision.state == "final" and decision.confirmed_by == finished.second
    assert IncidentVerdict.objects.count() == 2 and ReviewNote.objects.count() == 2

    # The console row says it; the printed report shows it all.
    page.goto(f"{base_url}/console/")
    expect(page.locator('[data-cell="decision"]').first).to_contain_text("Violation · final")
    page.goto(f"{base_url}/console/applications/{app.id}/report/")
    report = page.locator("[data-report]")
    expect(report.locator("[data-report-score]")).to_have_text(automatic)
    expect(report.locator("[data-report-reviewed-score]")).to_have_text(dismissed_score)
    no_face_row = report.locator('[data-incident][data-type="no_face"] [data-verdict]')
    expect(no_face_row).to_contain_text("Dismissed by Rita Reyes")
    expect(no_face_row).to_contain_text("Reading the task sheet, face in view")
    tab_row = report.locator('[data-incident][data-type="tab_hidden"] [data-verdict]')
    expect(tab_row).to_contain_text("Confirmed by Rita Reyes")
    notes = report.locator("[data-report-notes] li")
    expect(notes).to_have_count(2)
    expect(report.locator("[data-report-notes]")).to_contain_text("Looks to the left at length")
    expect(report.locator("[data-report-notes]")).to_contain_text("A phone on the desk")
    decided = report.locator("[data-report-decision]")
    expect(decided).to_have_attribute("data-outcome", "violation")
    expect(decided).to_have_attribute("data-state", "final")
    expect(decided).to_contain_text("A phone in view and the tab hidden for 90 s")
    expect(report).to_contain_text("confirmed by Sam Stone (second review)")


def test_the_decision_panel_waits_for_the_end_of_the_interview(acme, page, base_url, password):
    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{acme.application.id}/")
    expect(page.locator("[data-decision-blocked]")).to_contain_text("once the interview has ended")
    expect(page.locator("[data-decision-form]")).to_have_count(0)


def test_the_reviewer_tools_fit_a_narrow_screen(finished, browser, base_url, password):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{finished.application.id}/")
    expect(page.locator("[data-incidents] li")).to_have_count(2, timeout=WAIT_MS)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    page.locator(f'[data-incident-id="{finished.tab.pk}"] button[data-verdict="dismissed"]').click()
    dialog = page.locator("[data-verdict-dialog]")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    context.close()


def test_the_candidate_answers_a_final_violation_and_the_reviewer_decides_after_it(
    finished, browser, page, base_url, password
):
    """Issue 34, point 1: the candidate sees the decision, the incidents that count and their
    own flagged frames, answers once; the reviewer sees the badge and records the decision
    after the answer."""
    app = finished.application
    finished.organization.decision_second_review = False
    finished.organization.save()
    finished.no_face.image_ids = list(app.monitoring_images.values_list("pk", flat=True))
    finished.no_face.save()
    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{app.id}/")
    # Keyboard triage on the timeline: j moves to the first incident, Enter opens its frame.
    expect(page.locator("[data-incidents] li")).to_have_count(2, timeout=WAIT_MS)
    expect(page.locator("button.thumb").first).to_be_visible(timeout=WAIT_MS)
    page.locator("h1").click()  # the page, not a field, has the keys
    page.keyboard.press("j")
    first = page.locator(f'[data-incident-id="{finished.no_face.pk}"]')
    expect(first).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("Enter")
    viewer = page.locator("[data-viewer]")
    expect(viewer).to_be_visible(timeout=WAIT_MS)
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    _verdict(page, finished.tab, "dismissed")

    # Flags that earn their weight: one dismissed tab flag, its weight changed beside it.
    page.goto(f"{base_url}/console/flags/")
    tab_row = page.locator('[data-flag-type="tab_hidden"]')
    expect(tab_row.locator('[data-cell="dismissed"]')).to_have_text("1")
    expect(tab_row.locator('[data-cell="precision"]')).to_contain_text("0 %")
    tab_row.get_by_label("Weight of Interview tab hidden").fill("1")
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("[data-rules-saved]")).to_be_visible()
    expect(tab_row.get_by_label("Weight of Interview tab hidden")).to_have_value("1")
    screenshot(page, "flags")

    page.goto(f"{base_url}/console/applications/{app.id}/")
    panel = page.locator("[data-decision-panel]")
    panel.get_by_label("Violation").check()
    panel.get_by_label("Reason").fill("No face for 100 s")
    panel.get_by_role("button", name="Record the decision").click()
    expect(panel.locator("[data-decision-state]")).to_have_attribute(
        "data-decision-state", "final", timeout=WAIT_MS
    )

    candidate = browser.new_context(viewport={"width": 375, "height": 800})
    john = candidate.new_page()
    login(john, base_url, "john", password)
    john.goto(f"{base_url}/interview/")
    shown = john.locator(f'[data-candidate-decision="{app.id}"]')
    expect(shown).to_contain_text("Violation")
    expect(shown.locator("[data-candidate-reason]")).to_have_text("No face for 100 s")
    expect(shown.locator('[data-incident-type="no_face"]')).to_have_count(1)
    expect(shown.locator('[data-incident-type="tab_hidden"]')).to_have_count(0)  # dismissed
    expect(shown.locator("[data-candidate-frames] img")).to_have_count(2)
    shown.get_by_label("Your answer").fill("I was reading the task on paper")
    shown.get_by_role("button", name="Send my answer").click()
    expect(shown.locator("[data-candidate-response]")).to_contain_text(
        "I was reading the task on paper", timeout=WAIT_MS
    )
    expect(shown.locator("[data-response-form]")).to_have_count(0)
    screenshot(john, "decision-candidate-narrow")
    again = john.request.post(
        f"{base_url}/api/applications/{app.id}/response/",
        data={"text": "Once more"},
        headers={
            "X-CSRFToken": next(c["value"] for c in candidate.cookies() if c["name"] == "csrftoken")
        },
    )
    assert again.status == 409 and again.json()["code"] == "already_answered"
    candidate.close()

    page.goto(f"{base_url}/console/")
    expect(page.locator("[data-response-badge]")).to_be_visible()
    page.goto(f"{base_url}/console/applications/{app.id}/")
    expect(panel.locator("[data-candidate-answer]")).to_contain_text(
        "I was reading the task on paper", timeout=WAIT_MS
    )
    panel.get_by_label("Concerns").check()
    panel.get_by_label("Reason").fill("Reading from paper is plausible; the camera angle was poor")
    panel.get_by_role("button", name="Record the decision").click()
    expect(panel.locator("[data-decision-current]")).to_contain_text(
        "after the candidate's answer: changed from Violation", timeout=WAIT_MS
    )
    page.goto(f"{base_url}/console/")
    expect(page.locator("[data-response-badge]")).to_have_count(0)
    page.goto(f"{base_url}/console/applications/{app.id}/report/")
    expect(page.locator("[data-report-response]")).to_contain_text(
        "I was reading the task on paper"
    )
    expect(page.locator("[data-report-after-response]")).to_contain_text("changed from violation")
