"""Watch live in Chromium: a reviewer's board plays the candidate's camera over WebRTC (fake
device, loopback, no ICE server), the candidate sees who watches, "Stop watching" and camera
off end it on both sides; and again with the candidate and the reviewer on two ASGI
processes that share only the Redis channel layer and the database."""

import os

import pytest
from playwright.sync_api import expect

from applications.models import JobApplication
from cameras.models import LiveWatch
from monitoring.models import AccessEvent
from tests.e2e.conftest import e2e_env, login, screenshot
from tests.processes import asgi_server as serve

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 20_000


@pytest.fixture(scope="module")
def second_server(asgi_server, e2e_bucket, tmp_path_factory):
    """Another ASGI process of the same site: the two meet only through Redis and PostgreSQL."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("two processes share a channel layer only through Redis (REDIS_URL)")
    with serve(e2e_env(e2e_bucket), tmp_path_factory.mktemp("b") / "asgi.log") as url:
        yield url


def _camera_on(page, base_url, acme, password):
    JobApplication.objects.filter(pk=acme.application.pk).update(status="invited")
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-camera-badge]")).to_be_visible(timeout=WAIT_MS)


def _video_plays(rita) -> None:
    video = rita.get_by_label("Live video of John Carter")
    expect(video).to_be_visible(timeout=WAIT_MS)
    rita.wait_for_function(
        "() => { const v = document.querySelector('[data-live-player] video'); "
        "return v && v.videoWidth > 0 && v.currentTime > 0; }",
        timeout=WAIT_MS,
    )
    first = video.evaluate("v => v.currentTime")
    rita.wait_for_function(
        f"() => document.querySelector('[data-live-player] video').currentTime > {first}",
        timeout=WAIT_MS,
    )
    expect(rita.locator("[data-live-state]")).to_have_text("Live")


def _watch(browser, board_url, john, password):
    rita = browser.new_context().new_page()
    login(rita, board_url, "rita", password)
    rita.goto(board_url + "/console/live/")
    card = rita.locator(".stream-card", has_text="@john")
    expect(card).to_be_visible(timeout=WAIT_MS)
    card.get_by_role("button", name="Watch live").click()
    _video_plays(rita)
    expect(john.locator("[data-watch-notice]")).to_have_text(
        "Rita Reyes is watching your camera live.", timeout=WAIT_MS
    )
    return rita, card


def test_a_reviewer_watches_the_camera_live_and_both_sides_can_end_it(
    acme, browser, page, base_url, password, bucket
):
    _camera_on(page, base_url, acme, password)
    rita, card = _watch(browser, base_url, page, password)
    screenshot(rita, "live-video")
    screenshot(page, "interview-watched")

    card.get_by_role("button", name="Stop watching").click()
    expect(rita.locator("[data-live-state]")).to_have_text("You stopped watching.")
    expect(page.locator("[data-watch-notice]")).to_be_hidden(timeout=WAIT_MS)
    assert LiveWatch.objects.get().end_reason == "viewer"

    card.get_by_role("button", name="Watch live").click()
    _video_plays(rita)
    expect(page.locator("[data-watch-notice]")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Turn camera off").click()
    expect(page.locator("[data-watch-notice]")).to_be_hidden(timeout=WAIT_MS)
    expect(card).to_be_hidden(timeout=WAIT_MS)  # the camera is off: the card leaves the board
    watches = list(LiveWatch.objects.order_by("started_at"))
    assert [w.ended_at is not None for w in watches] == [True, True]
    assert watches[1].end_reason == "candidate"  # the page said so before its socket closed
    assert AccessEvent.objects.filter(action="watched_live").count() == 2
    rita.context.close()


def test_the_candidate_and_the_reviewer_on_two_processes(
    acme, browser, page, base_url, second_server, password, bucket
):
    _camera_on(page, base_url, acme, password)  # the candidate on process A
    rita, _ = _watch(browser, second_server, page, password)  # the reviewer on process B
    rita.close()  # the reviewer's page leaves: process B ends the watch, A's page hears it
    expect(page.locator("[data-watch-notice]")).to_be_hidden(timeout=WAIT_MS)
    assert LiveWatch.objects.get().end_reason == "socket_closed"
