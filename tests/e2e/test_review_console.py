"""The recruiter's review console, timeline and live board snapshots, in Chromium."""

import base64
import io
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from applications.models import MonitoringConsent
from applications.notice import CURRENT as NOTICE
from monitoring.models import MonitoringImage
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


def _frame(shade: int, size=(640, 480)) -> str:
    image = Image.new("RGB", size, (20, 40 + shade % 180, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return base64.b64encode(out.getvalue()).decode()


class Api:
    """The candidate's page, as plain HTTP calls to the ASGI server (token auth)."""

    def __init__(self, base_url, user, application):
        self.base = base_url
        self.app = application.id
        self.headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    def post(self, path, body):
        response = requests.post(self.base + path, json=body, headers=self.headers, timeout=30)
        assert response.status_code < 300, response.text
        return response.json()

    @contextmanager
    def camera_on(self, every: float = 1.0):
        """The camera on, heartbeats every second in the background (as the page sends them):
        however slow the machine, the stream stays live for the whole block."""
        body = {"is_active": True, "application_id": self.app}
        self.post("/api/camera/status", body)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every):
                requests.post(
                    self.base + "/api/camera/status", json=body, headers=self.headers, timeout=10
                )

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(15)

    def upload(self, kind, at, shade=0):
        return self.post(
            f"/api/applications/{self.app}/monitoring-images/",
            {"image_type": kind, "image_data": _frame(shade), "captured_at": at.isoformat()},
        )


@pytest.fixture
def interview(acme, base_url, bucket):
    """john's interview with 34 captures over ~12 minutes and some events."""
    MonitoringConsent.objects.create(
        application=acme.application, notice_version=NOTICE, accepted_at=timezone.now()
    )
    api = Api(base_url, acme.candidate, acme.application)
    start = timezone.now() - timedelta(minutes=15)
    for i in range(22):
        api.upload("camera", start + timedelta(seconds=30 * i), shade=i * 7)
    for i in range(12):
        api.upload("screen", start + timedelta(seconds=55 * i + 5), shade=i * 13)
    for offset, kind in (
        (40, "screen_share_started"),
        (200, "tab_hidden"),
        (230, "tab_visible"),
        (400, "window_blur"),
        (420, "window_focus"),
    ):
        api.post(
            f"/api/applications/{acme.application.id}/events/",
            {"type": kind, "occurred_at": (start + timedelta(seconds=offset)).isoformat()},
        )
    return api


def test_timeline_lazy_thumbnails_viewer_and_delete(
    acme, interview, page, base_url, password, bucket
):
    signing = []
    page.on(
        "request",
        lambda r: signing.append((r.method, r.url, r.post_data))
        if "/api/monitoring-images/signed-url" in r.url
        else None,
    )
    login(page, base_url, "rita", password)
    expect(page.get_by_text("@john")).to_be_visible()
    expect(page.locator("tr", has_text="@john")).to_contain_text("22 camera · 12 screen")
    screenshot(page, "console")
    page.get_by_role("link", name="John Carter").click()
    expect(page).to_have_url(f"{base_url}/console/applications/{acme.application.id}/")
    # Pages of 15 per type (MONITORING_TIMELINE_PAGE_SIZE in the e2e server): page forward.
    expect(page.locator("[data-summary]")).to_contain_text("loaded so far")
    expect(page.locator(".thumb")).to_have_count(27)  # 15 camera + 12 screen
    page.get_by_role("button", name="Load later captures").click()
    expect(page.get_by_role("button", name="Load later captures")).to_be_hidden()
    expect(page.locator(".thumb")).to_have_count(34)
    expect(page.locator("[data-summary]")).to_contain_text(
        "22 camera snapshots · 12 screen captures · 5 events · 1 consent answer"
    )
    # One meaning per count: the header counts the same events as the summary.
    expect(page.locator('[data-record] [data-cell="events"]')).to_have_text("5 events")
    # Back to the top: the page scrolls in its shell (base.html), not the window.
    page.evaluate("document.querySelector('.shell').scrollTo(0, 0)")
    expect(page.locator('.event-chip[data-event-type="tab_hidden"]')).to_be_visible()
    # Hidden for 30 s (≥ 10 s): a sustained incident, in the summary and in its minute.
    expect(page.locator('.event-chip[data-event-type="incident-tab_hidden"]')).to_be_visible()
    expect(page.locator("[data-incidents]")).to_contain_text("Interview tab hidden from")
    expect(page.locator("[data-score]")).not_to_have_text("–")
    expect(page.locator(".thumb img[src]").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)
    batches = page.evaluate("window.invigilTimeline.state.signBatches")
    assert all(method == "POST" for method, _, _ in signing)  # batches, never one per image
    assert 0 < batches[0] < 34  # only what is visible is signed first
    screenshot(page, "timeline")

    # Scroll down as a reader does, with the mouse over the timeline itself: a wheel turns
    # whatever scrollable card is under the mouse (the message list, the notes).
    page.locator(".thumb").first.hover()
    page.mouse.wheel(0, 20000)
    page.wait_for_function(
        "n => window.invigilTimeline.state.signBatches.reduce((a, b) => a + b, 0) > n",
        arg=batches[0],
        timeout=WAIT_MS,
    )

    page.locator(".thumb").first.click()
    viewer = page.locator("[data-viewer]")
    expect(viewer).to_be_visible()
    expect(viewer.locator("[data-viewer-index]")).to_have_text("1 of 34")
    page.keyboard.press("ArrowRight")
    expect(viewer.locator("[data-viewer-index]")).to_have_text("2 of 34")
    page.keyboard.press("ArrowRight")
    expect(viewer.locator("[data-viewer-index]")).to_have_text("3 of 34")
    page.keyboard.press("ArrowLeft")
    expect(viewer.locator("[data-viewer-index]")).to_have_text("2 of 34")
    expect(viewer.locator("[data-viewer-title]")).to_contain_text("Screen capture")  # +5 s
    screenshot(page, "timeline-viewer")

    doomed = int(viewer.locator("[data-viewer-image]").get_attribute("data-image-id"))
    key = MonitoringImage.objects.get(pk=doomed).file.name
    page.once("dialog", lambda dialog: dialog.accept())
    viewer.get_by_role("button", name="Delete").click()
    expect(viewer.locator("[data-viewer-index]")).to_have_text("2 of 33")
    expect(page.locator(f'.thumb[data-image-id="{doomed}"]')).to_have_count(0)
    assert not MonitoringImage.objects.filter(pk=doomed).exists()
    listing = page.evaluate(
        f"fetch('/api/applications/{acme.application.id}/monitoring-images/').then(r => r.json())"
    )
    assert doomed not in {i["id"] for i in listing["camera"] + listing["screen"]}
    remaining = {o["Key"] for o in bucket.list_objects_v2(Bucket=bucket.bucket)["Contents"]}
    assert key not in remaining and len(remaining) == 33
    # The slot stays in the record: "deleted by Rita Reyes", now and after a reload.
    viewer.locator("[data-viewer-close]").click()
    slot = page.locator("[data-deleted-slot]")
    expect(slot).to_have_count(1)
    expect(slot).to_contain_text("Deleted by Rita Reyes")
    page.reload()
    page.get_by_role("button", name="Load later captures").click()
    expect(page.locator("[data-deleted-slot]")).to_contain_text("Deleted by Rita Reyes")
    page.evaluate("document.querySelector('[data-deleted-slot]').scrollIntoView({block: 'center'})")
    screenshot(page, "timeline-deleted")


def test_other_organization_gets_404_and_candidate_is_refused(
    acme, globex, page, base_url, password
):
    login(page, base_url, "gina", password)
    response = page.goto(f"{base_url}/console/applications/{acme.application.id}/")
    assert response.status == 404
    page.get_by_role("button", name="Sign out").click()
    login(page, base_url, "john", password)
    assert page.goto(f"{base_url}/console/").status == 403
    assert page.goto(f"{base_url}/console/applications/{acme.application.id}/").status == 403


def test_live_board_picture_follows_new_snapshots(acme, interview, page, base_url, password):
    login(page, base_url, "rita", password)
    page.goto(base_url + "/console/live/")
    expect(page.locator("[data-board-status]")).to_have_attribute("data-state", "live")
    interview.post("/api/camera/status", {"is_active": True, "application_id": acme.application.id})
    card = page.locator(".stream-card", has_text="@john")
    expect(card).to_be_visible(timeout=WAIT_MS)

    interview.upload("camera", timezone.now(), shade=50)
    picture = card.locator("img.stream-snapshot")
    expect(picture).to_be_visible(timeout=WAIT_MS)
    first = picture.get_attribute("data-snapshot-at")
    page.wait_for_timeout(50)
    interview.upload("camera", timezone.now(), shade=120)
    expect(picture).not_to_have_attribute("data-snapshot-at", first, timeout=WAIT_MS)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 640
    screenshot(page, "live-board")

    card.click()
    expect(page).to_have_url(f"{base_url}/console/applications/{acme.application.id}/")


def test_an_old_snapshot_on_a_live_card_says_its_age(acme, interview, page, base_url, password):
    """A LIVE card must not present a minutes-old picture as if it were current."""
    login(page, base_url, "rita", password)
    page.goto(base_url + "/console/live/")
    interview.post("/api/camera/status", {"is_active": True, "application_id": acme.application.id})
    card = page.locator(".stream-card", has_text="@john")
    expect(card).to_be_visible(timeout=WAIT_MS)
    interview.upload("camera", timezone.now() + timedelta(seconds=1), shade=90)
    expect(card.locator("img.stream-snapshot")).to_be_visible(timeout=WAIT_MS)
    expect(card.locator(".snapshot-age")).to_be_hidden()  # fresh: no label

    MonitoringImage.objects.all().delete()  # start over with only an old picture
    from cameras.models import CameraStream

    CameraStream.objects.update(snapshot_key="", snapshot_at=None)
    interview.upload("camera", timezone.now() - timedelta(minutes=3), shade=30)
    interview.post("/api/camera/status", {"is_active": True, "application_id": acme.application.id})
    page.reload()
    age = card.locator(".snapshot-age")
    expect(age).to_be_visible(timeout=WAIT_MS)
    expect(age).to_have_text("Snapshot 3 min ago")


def test_flagged_frames_are_marked_and_can_be_filtered(acme, page, base_url, password, bucket):
    from pathlib import Path

    MonitoringConsent.objects.create(
        application=acme.application, notice_version=NOTICE, accepted_at=timezone.now()
    )
    api = Api(base_url, acme.candidate, acme.application)
    frames = Path(__file__).resolve().parents[1] / "fixtures" / "frames"
    start = timezone.now() - timedelta(minutes=5)
    for i, name in enumerate(
        ["one_face.jpg", "two_faces.jpg", "no_face_coffee.jpg", "one_face_moved.jpg"]
    ):
        api.post(
            f"/api/applications/{acme.application.id}/monitoring-images/",
            {
                "image_type": "camera",
                "image_data": base64.b64encode((frames / name).read_bytes()).decode(),
                "captured_at": (start + timedelta(seconds=20 * i)).isoformat(),
            },
        )
    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{acme.application.id}/")
    expect(page.locator(".thumb")).to_have_count(4)
    expect(page.locator(".thumb.is-flagged")).to_have_count(2)
    expect(page.locator(".thumb-flags", has_text="Several faces")).to_be_visible()
    expect(page.locator(".thumb-flags", has_text="No face")).to_be_visible()
    page.get_by_label("Flagged only").check()
    expect(page.locator(".thumb")).to_have_count(2)
    screenshot(page, "timeline-flagged")
