"""Live proctoring in Chromium, two contexts: a reviewer's board and a candidate's interview
page (fake camera) exchange messages both ways; the reviewer warns, the candidate raises a
hand that the board shows first and the reviewer answers; the reviewer ends the interview with
a reason and the candidate's page stops at once and says why; the timeline and the report
show all of it in order; a recruiter of another organization hears and sends none of it."""

import pytest
from playwright.sync_api import expect

from applications.models import JobApplication
from cameras.models import CameraStream, ProctorMessage
from tests.e2e.conftest import login, screenshot, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 20_000


def _candidate_live(page, base_url, acme, password):
    JobApplication.objects.filter(pk=acme.application.pk).update(status="invited")
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-badge]")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("[data-chat]")).to_be_visible()


def _board(browser, base_url, username, password):
    board = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    login(board, base_url, username, password)
    board.goto(base_url + "/console/live/")
    expect(board.locator("[data-board-status]")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )
    return board


def test_messages_a_warning_a_hand_and_the_end(
    acme, globex, browser, page, base_url, password, bucket
):
    _candidate_live(page, base_url, acme, password)
    rita = _board(browser, base_url, "rita", password)
    gina = _board(browser, base_url, "gina", password)  # another organization
    card = rita.locator(".stream-card", has_text="@john")
    expect(card).to_be_visible(timeout=WAIT_MS)

    # The reviewer writes; the candidate's panel shows it (beside, not over, the camera).
    card.get_by_label("Message to John Carter").fill("Hello John, can you hear us?")
    card.get_by_role("button", name="Send").click()
    chat = page.locator("[data-chat-list]")
    expect(chat).to_contain_text("Hello John, can you hear us?", timeout=WAIT_MS)
    expect(chat).to_contain_text("Rita Reyes")

    # A warning in two clicks (open the list, choose one).
    card.get_by_label("Send John Carter a warning").select_option(index=1)
    expect(page.locator(".chat-line.is-warning")).to_contain_text(
        "Please keep your face in view of the camera.", timeout=WAIT_MS
    )

    # The candidate replies and turns the sound off.
    page.get_by_role("button", name="Sound on").click()
    expect(page.get_by_role("button", name="Sound off")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Your message").fill("Yes, I hear you.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(card.locator("[data-chat-list]")).to_contain_text("Yes, I hear you.", timeout=WAIT_MS)
    expect(page.locator(".chat-line.from-candidate")).to_contain_text("Yes, I hear you.")

    # A raised hand: on the card (and the card first), until a reviewer answers.
    page.get_by_role("button", name="Raise hand").click()
    expect(card.locator("[data-hand]")).to_contain_text("Hand raised", timeout=WAIT_MS)
    expect(rita.locator(".stream-card").first).to_contain_text("@john")
    expect(page.get_by_role("button", name="Lower hand")).to_be_visible()
    screenshot(rita, "live-board-proctoring")
    screenshot(page, "interview-messages")
    card.get_by_label("Message to John Carter").fill("How can I help?")
    card.get_by_role("button", name="Send").click()
    expect(card.locator("[data-hand]")).to_be_hidden(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Raise hand")).to_be_visible(timeout=WAIT_MS)

    # The other organization's board heard nothing, and may send nothing.
    assert gina.evaluate("() => window.invigilBoard.conversations.size") == 0
    assert gina.evaluate("() => window.invigilBoard.hands.size") == 0
    expect(gina.locator(".stream-card")).to_have_count(0)
    gina.evaluate(f"() => window.invigilBoard.sendMessage({acme.candidate.id}, 'from globex')")
    gina.wait_for_timeout(500)
    assert not ProctorMessage.objects.filter(sender__username="gina").exists()
    expect(chat).not_to_contain_text("from globex")

    # The reviewer ends the interview with a reason: the page stops at once and says why.
    card.get_by_role("button", name="End interview…").click()
    card.get_by_label("Why the interview of John Carter ends").fill("A second person joined.")
    card.get_by_role("button", name="End interview", exact=True).click()
    expect(page.locator("[data-terminated]")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("[data-terminated-reason]")).to_have_text("A second person joined.")
    expect(page.locator("[data-camera-badge]")).to_be_hidden()
    assert page.evaluate("() => window.invigilCamera.isOn") is False
    assert page.evaluate("() => window.invigilPanel.screen.isSharing") is False
    assert wait_until(
        page, lambda: not CameraStream.objects.filter(user=acme.candidate, is_active=True).exists()
    )
    expect(card).to_be_hidden(timeout=WAIT_MS)  # the camera is off: the card leaves the board
    screenshot(page, "interview-terminated")
    acme.application.refresh_from_db()
    assert acme.application.status == "terminated"

    # The record: timeline and report, in order.
    expected = [
        "Hello John, can you hear us?",
        "Please keep your face in view of the camera.",
        "Yes, I hear you.",
        "raised a hand",
        "How can I help?",
        "answered the raised hand",
        "A second person joined.",
    ]
    for path in ("report/", ""):
        rita.goto(f"{base_url}/console/applications/{acme.application.id}/{path}")
        text = rita.locator("[data-proctor-log]").inner_text()
        positions = [text.index(part) for part in expected]
        assert positions == sorted(positions), text
    screenshot(rita, "timeline-proctoring")
    rita.context.close()
    gina.context.close()


def test_the_timeline_writes_to_the_candidate(acme, browser, page, base_url, password, bucket):
    _candidate_live(page, base_url, acme, password)
    rita = browser.new_context().new_page()
    login(rita, base_url, "rita", password)
    rita.goto(f"{base_url}/console/applications/{acme.application.id}/")
    expect(rita.locator("[data-proctor]")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    rita.get_by_label("Message to John Carter").fill("Written from the timeline")
    rita.locator("[data-proctor-form]").get_by_role("button", name="Send").click()
    expect(page.locator("[data-chat-list]")).to_contain_text(
        "Written from the timeline", timeout=WAIT_MS
    )
    page.get_by_label("Your message").fill("Seen it")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(rita.locator("[data-proctor-log]")).to_contain_text("Seen it", timeout=WAIT_MS)
    rita.context.close()


def test_narrow_screens(acme, browser, page, base_url, password, bucket):
    page.set_viewport_size({"width": 375, "height": 800})
    _candidate_live(page, base_url, acme, password)
    rita = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    login(rita, base_url, "rita", password)
    rita.goto(base_url + "/console/live/")
    card = rita.locator(".stream-card", has_text="@john")
    expect(card).to_be_visible(timeout=WAIT_MS)
    for p in (page, rita):  # nothing wider than the screen
        assert p.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("[data-chat]").scroll_into_view_if_needed()
    screenshot(page, "interview-messages-narrow")
    rita.context.close()


def test_the_board_says_where_to_look(acme, browser, base_url, password, bucket):
    """Sort by need, the grid's size and pages, the job filter, "my candidates"."""
    from django.utils import timezone

    from cameras.services import camera_stream_set_status
    from tests.factories import (
        CandidateFactory,
        JobApplicationFactory,
        JobFactory,
        MonitoringConsentFactory,
    )

    other_job = JobFactory(organization=acme.organization, title="Acme Designer")
    people = {}
    for name, job in [
        ("Ann Calm", acme.job),
        ("Bob Hand", acme.job),
        ("Cid Incident", acme.job),
        ("Dee Mismatch", other_job),
        ("Eve Silent", other_job),
    ]:
        first, last = name.split()
        user = CandidateFactory(username=first.lower(), first_name=first, last_name=last)
        app = JobApplicationFactory(job=job, candidate=user)
        MonitoringConsentFactory(application=app)
        camera_stream_set_status(user=user, is_active=True, application=app)
        people[first] = (user, app)
    now = timezone.now()
    ProctorMessage.objects.create(
        application=people["Bob"][1],
        candidate=people["Bob"][0],
        sender=people["Bob"][0],
        side="candidate",
        kind="hand_raised",
        sent_at=now,
    )
    since = now.isoformat()
    CameraStream.objects.filter(user=people["Cid"][0]).update(
        incident={"id": 1, "type": "no_face", "label": "No face visible", "since": since}
    )
    CameraStream.objects.filter(user=people["Dee"][0]).update(
        incident={
            "id": 2,
            "type": "identity_mismatch",
            "label": "Not the same face",
            "since": since,
        }
    )
    JobApplication.objects.filter(pk=people["Ann"][1].pk).update(assigned_reviewer=acme.recruiter)
    fresh = now - timezone.timedelta(seconds=1)
    CameraStream.objects.exclude(user=people["Eve"][0]).update(
        started_at=fresh, snapshot_at=fresh, last_updated=now
    )
    CameraStream.objects.filter(user=people["Eve"][0]).update(
        started_at=now - timezone.timedelta(minutes=5), last_updated=now
    )

    rita = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    login(rita, base_url, "rita", password)
    CameraStream.objects.update(last_updated=timezone.now())  # fresh when the board opens
    rita.goto(base_url + "/console/live/")
    cards = rita.locator(".stream-card:visible .stream-name")
    expect(cards).to_have_count(5, timeout=WAIT_MS)

    def fresh_again():
        """No page heartbeats here: the streams are kept fresh by hand (timeout 4 s)."""
        CameraStream.objects.update(last_updated=timezone.now())
        rita.evaluate("() => window.invigilBoard.send({type: 'snapshot'})")
        rita.wait_for_timeout(300)

    assert cards.all_inner_texts() == [
        "Bob Hand",
        "Cid Incident",
        "Dee Mismatch",
        "Eve Silent",
        "Ann Calm",
    ]
    fresh_again()
    rita.locator("[data-board-tiles]").select_option("4")
    expect(cards).to_have_count(4)
    expect(rita.locator("[data-page-label]")).to_have_text("Page 1 of 2")
    rita.get_by_role("button", name="Next →").click()
    assert cards.all_inner_texts() == ["Ann Calm"]
    fresh_again()
    rita.locator("[data-board-tiles]").select_option("9")
    rita.get_by_label("Job").select_option(label="Acme Designer")
    assert cards.all_inner_texts() == ["Dee Mismatch", "Eve Silent"]
    fresh_again()
    rita.get_by_label("Job").select_option(label="All jobs")
    rita.get_by_label("My candidates").check()
    assert cards.all_inner_texts() == ["Ann Calm"]
    rita.context.close()
