"""Camera presence in two real browsers: john's camera on rita's live board.

Conditions are awaited with generous time-outs; how fast things happen is measured in
bench/presence.py, not asserted here.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import MonitoringConsent
from applications.notice import CURRENT as NOTICE
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


@pytest.fixture
def rita_board(browser, base_url, acme, password):
    context = browser.new_context(viewport={"width": 1366, "height": 760})
    page = context.new_page()
    login(page, base_url, "rita", password)
    page.goto(base_url + "/console/live/")
    expect(page.locator("[data-board-status]")).to_have_attribute("data-state", "live")
    yield page
    context.close()


@pytest.fixture
def john_context(browser, base_url, acme, password, bucket):
    MonitoringConsent.objects.create(
        application=acme.application, notice_version=NOTICE, accepted_at=timezone.now()
    )
    context = browser.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    yield context, page
    context.close()


def _card(board):
    return board.locator(".stream-card", has_text="@john")


def test_camera_on_shows_card_and_off_removes_it(rita_board, john_context):
    _, john = john_context
    expect(rita_board.get_by_text("No camera is on right now")).to_be_visible()
    screenshot(rita_board, "live-board-empty")

    john.get_by_role("button", name="Turn camera on").click()
    expect(john.locator("[data-camera-badge]")).to_be_visible(timeout=WAIT_MS)
    expect(john.get_by_role("status").filter(has_text="Camera on")).to_be_visible()
    expect(_card(rita_board)).to_be_visible(timeout=WAIT_MS)
    expect(_card(rita_board).get_by_text("LIVE", exact=True)).to_be_visible()
    expect(_card(rita_board)).to_contain_text("John Carter")
    expect(_card(rita_board)).to_contain_text("Last seen:")
    # Heartbeats (every second here) travel over the presence socket, not HTTP.
    john.wait_for_function("() => window.invigilCamera.heartbeatsOverSocket >= 2", timeout=WAIT_MS)
    screenshot(john, "interview-camera-on")
    screenshot(rita_board, "live-board")

    john.get_by_role("button", name="Turn camera off").click()
    expect(john.locator("[data-camera-badge]")).to_be_hidden(timeout=WAIT_MS)
    expect(_card(rita_board)).to_have_count(0, timeout=WAIT_MS)
    expect(rita_board.get_by_text("No camera is on right now")).to_be_visible()
    assert john.evaluate("window.invigilCamera.stream") is None  # tracks released


def test_closing_the_tab_removes_the_card(rita_board, john_context):
    _context, john = john_context
    john.get_by_role("button", name="Turn camera on").click()
    expect(_card(rita_board)).to_be_visible(timeout=WAIT_MS)
    john.close()
    expect(_card(rita_board)).to_have_count(0, timeout=WAIT_MS)


def test_silent_tab_leaves_the_board_after_the_timeout(rita_board, john_context):
    """The network dies (no final off, no heartbeat): the card goes after the timeout."""
    context, john = john_context
    john.get_by_role("button", name="Turn camera on").click()
    expect(_card(rita_board)).to_be_visible(timeout=WAIT_MS)
    context.route("**/api/camera/status", lambda route: route.abort())
    # …and the presence socket that carries heartbeats dies with it.
    john.evaluate(
        "() => { const c = window.invigilCamera; c.presenceUrl = null; c.socket?.close(); }"
    )
    expect(_card(rita_board)).to_have_count(0, timeout=WAIT_MS)
    expect(john.locator("[data-camera-message]")).to_contain_text("Connection problem")


def test_permission_denied_is_explained(browser, base_url, acme, password):
    MonitoringConsent.objects.create(
        application=acme.application, notice_version=NOTICE, accepted_at=timezone.now()
    )
    context = browser.new_context()
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.evaluate(
        """() => { navigator.mediaDevices.getUserMedia = () =>
              Promise.reject(new DOMException("denied", "NotAllowedError")); }"""
    )
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-message]")).to_contain_text("permission was denied")
    expect(page.get_by_role("button", name="Turn camera on")).to_be_enabled()
    context.close()


def test_board_reconnects_and_rereads_snapshot(rita_board, john_context):
    _, john = john_context
    rita_board.evaluate("window.invigilBoard.socket.close(4000)")
    expect(rita_board.locator("[data-board-status]")).to_have_attribute(
        "data-state", "reconnecting"
    )
    john.get_by_role("button", name="Turn camera on").click()
    expect(rita_board.locator("[data-board-status]")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )
    expect(_card(rita_board)).to_be_visible(timeout=WAIT_MS)
