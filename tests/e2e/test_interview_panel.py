"""The candidate's interview panel in Chromium (fake camera and screen), against uvicorn + S3.

Conditions are awaited with generous time-outs; nothing asserts how fast.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import JobApplication, MonitoringConsent
from applications.notice import CURRENT as NOTICE
from cameras.models import CameraStream
from monitoring.models import MonitoringEvent, MonitoringImage
from tests.e2e.conftest import login, screenshot, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


def _bucket_keys(bucket) -> set[str]:
    return {o["Key"] for o in bucket.list_objects_v2(Bucket=bucket.bucket).get("Contents", [])}


def _open(page, base_url, acme, password):
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")


def _consent_and_start(page):
    page.get_by_role("button", name="I agree — continue").click()
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("button", name="Turn camera on")).to_be_visible()


def _set(acme, **fields):
    """Each test starts from an invited application, as a real candidate would."""
    JobApplication.objects.filter(pk=acme.application.pk).update(status="invited", **fields)


def test_consent_start_camera_reaches_the_board(acme, browser, page, base_url, password, bucket):
    _set(acme)
    rita = browser.new_context().new_page()
    login(rita, base_url, "rita", password)
    rita.goto(base_url + "/console/live/")
    _open(page, base_url, acme, password)
    expect(page.get_by_role("heading", name="Before you begin: monitoring notice")).to_be_visible()
    screenshot(page, "interview-consent")
    _consent_and_start(page)
    assert MonitoringConsent.objects.filter(application=acme.application).exists()
    acme.application.refresh_from_db()
    assert acme.application.status == "in_progress" and acme.application.started_at
    expect(page.locator("[data-status-badge]")).to_have_text("In progress")
    page.get_by_role("button", name="Turn camera on").click()
    expect(rita.locator(".stream-card", has_text="@john")).to_be_visible(timeout=WAIT_MS)
    rita.context.close()


def test_automatic_capture_matches_bucket_and_listing(acme, page, base_url, password, bucket):
    _set(acme, camera_interval=2, screen_interval=2)
    _open(page, base_url, acme, password)
    _consent_and_start(page)
    page.get_by_role("button", name="Turn camera on").click()
    page.get_by_role("button", name="Share entire screen").click()
    expect(page.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    counts = lambda kind: MonitoringImage.objects.filter(image_type=kind).count()  # noqa: E731
    assert wait_until(page, lambda: counts("camera") >= 3 and counts("screen") >= 3)
    screenshot(page, "interview")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish interview").click()
    expect(page.get_by_role("heading", name="Interview finished")).to_be_visible(timeout=WAIT_MS)

    listing = page.evaluate(
        f"fetch('/api/applications/{acme.application.id}/monitoring-images/').then(r => r.json())"
    )
    listed = {i["s3Key"] for kind in ("camera", "screen") for i in listing[kind]}
    assert listed == _bucket_keys(bucket)
    assert len(listed) == MonitoringImage.objects.count() >= 6
    widths = set(
        MonitoringImage.objects.filter(image_type="screen").values_list("width", flat=True)
    )
    assert widths and max(widths) <= 1920


def test_network_outage_loses_nothing_and_stores_once(acme, page, base_url, password, bucket):
    _set(acme, camera_interval=2, screen_interval=3600)
    _open(page, base_url, acme, password)
    _consent_and_start(page)
    page.evaluate("""() => {
        window.__ids = [];
        const q = window.invigilPanel.queue, add = q.add.bind(q);
        q.add = (type, data) => { const id = add(type, data); window.__ids.push(id); return id; };
    }""")
    page.get_by_role("button", name="Turn camera on").click()
    assert wait_until(page, lambda: MonitoringImage.objects.count() >= 1)

    page.route("**/monitoring-images/", lambda route: route.abort("internetdisconnected"))
    outage_started = timezone.now()
    expect(page.locator("[data-upload-status]")).to_contain_text("Retrying", timeout=WAIT_MS)
    page.wait_for_timeout(10_000)
    during = page.evaluate("window.invigilPanel.queue.length")
    assert during >= 3  # captures kept waiting in memory
    page.unroute("**/monitoring-images/")
    outage_ended = timezone.now()
    page.evaluate("window.invigilPanel.queue.drain()")
    page.evaluate("() => { const p = window.invigilPanel; p.camera.stop(); }")
    page.evaluate("window.invigilPanel.queue.drain()")

    ids = page.evaluate("window.__ids")
    rows = list(MonitoringImage.objects.values_list("client_id", "captured_at", "created_at"))
    assert sorted(str(r[0]) for r in rows) == sorted(ids)  # every capture, exactly once
    waited = [r for r in rows if outage_started <= r[1] <= outage_ended]
    assert len(waited) >= 3
    assert all(created > captured for _, captured, created in waited)  # capture time kept
    assert len(_bucket_keys(bucket)) == len(rows)


def test_manual_capture_share_stop_tab_hidden_and_finish(acme, page, base_url, password, bucket):
    _set(acme, camera_interval=3600, screen_interval=3600)
    _open(page, base_url, acme, password)
    _consent_and_start(page)
    page.get_by_role("button", name="Turn camera on").click()
    page.get_by_role("button", name="Share entire screen").click()
    expect(page.locator("[data-screen-badge]")).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # the automatic first snapshots of camera and screen
    before = MonitoringImage.objects.count()
    page.get_by_role("button", name="Capture camera").click()
    page.get_by_role("button", name="Capture screen").click()
    assert wait_until(page, lambda: MonitoringImage.objects.count() == before + 2)

    # The candidate stops sharing from the browser's own bar: the track fires `ended`.
    page.evaluate(
        "window.invigilPanel.screen.stream.getVideoTracks()[0].dispatchEvent(new Event('ended'))"
    )
    expect(page.locator("[data-share-message]")).to_contain_text("You stopped sharing")
    page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    types = lambda: set(MonitoringEvent.objects.values_list("type", flat=True))  # noqa: E731
    assert wait_until(
        page, lambda: {"screen_share_started", "screen_share_stopped", "tab_hidden"} <= types()
    )

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish interview").click()
    expect(page.get_by_role("heading", name="Interview finished")).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("window.invigilPanel.queue.length") == 0
    assert page.evaluate("window.invigilPanel.camera.stream") is None
    assert CameraStream.objects.get(user=acme.candidate).is_active is False
    acme.application.refresh_from_db()
    assert acme.application.status == "completed"


def test_refusing_consent_captures_nothing(acme, page, base_url, password, bucket):
    _set(acme)
    _open(page, base_url, acme, password)
    page.get_by_role("button", name="I do not agree").click()
    expect(page.get_by_role("heading", name="Monitoring declined")).to_be_visible()
    expect(page.get_by_text("contact your recruiter")).to_be_visible()
    expect(page.get_by_role("button", name="Turn camera on")).to_be_hidden()
    screenshot(page, "interview-declined")
    page.wait_for_timeout(2000)
    # The "no" is recorded (with the notice version shown); no consent is.
    answers = list(MonitoringConsent.objects.values_list("accepted_at", "declined_at"))
    assert len(answers) == 1 and answers[0][0] is None and answers[0][1] is not None
    assert not MonitoringImage.objects.exists()
    assert not CameraStream.objects.exists()
    assert _bucket_keys(bucket) == set()


def test_window_share_is_refused_with_an_explanation(acme, page, base_url, password, bucket):
    _set(acme, screen_interval=2)
    _open(page, base_url, acme, password)
    _consent_and_start(page)
    page.evaluate("""() => {
        const original = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getDisplayMedia = async (opts) => {
            const stream = await original(opts);
            const track = stream.getVideoTracks()[0];
            const settings = track.getSettings();
            track.getSettings = () => ({ ...settings, displaySurface: "window" });
            window.__refusedTrack = track;
            return stream;
        };
    }""")
    page.get_by_role("button", name="Share entire screen").click()
    expect(page.locator("[data-share-message]")).to_contain_text("You shared a window")
    expect(page.locator("[data-screen-badge]")).to_be_hidden()
    assert page.evaluate("window.__refusedTrack.readyState") == "ended"  # released at once
    page.wait_for_timeout(2500)
    assert not MonitoringImage.objects.filter(image_type="screen").exists()


def test_closing_with_a_full_queue_warns(acme, page, base_url, password, bucket):
    _set(acme, camera_interval=3600)
    _open(page, base_url, acme, password)
    _consent_and_start(page)
    page.route("**/monitoring-images/", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator("[data-queue-length]")).to_have_text("1", timeout=WAIT_MS)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500) if not page.is_closed() else None
    assert dialogs == ["beforeunload"]


def test_a_reopened_tab_closes_its_own_hidden_episode(acme, page, base_url, password, bucket):
    """The tab was hidden, then closed (no `tab_visible` ever sent); opening the interview
    again reports what the page sees, so the episode ends instead of running on."""
    from datetime import timedelta

    from monitoring.integrity.selectors import integrity_report
    from monitoring.integrity.services import integrity_event_recorded
    from tests.factories import MonitoringEventFactory

    MonitoringConsent.objects.create(
        application=acme.application, notice_version=NOTICE, accepted_at=timezone.now()
    )
    hidden = MonitoringEventFactory(
        application=acme.application,
        type="tab_hidden",
        occurred_at=timezone.now() - timedelta(minutes=2),
    )
    integrity_event_recorded(event_id=hidden.id)
    ongoing = lambda: [  # noqa: E731
        i for i in integrity_report(application=acme.application)["incidents"] if i.ongoing
    ]
    assert [i.type for i in ongoing()] == ["tab_hidden"]

    _open(page, base_url, acme, password)
    expect(page.get_by_role("button", name="Turn camera on")).to_be_visible(timeout=WAIT_MS)
    assert wait_until(
        page,
        lambda: MonitoringEvent.objects.filter(type="tab_visible", detail="page opened").exists(),
    )
    assert wait_until(page, lambda: ongoing() == [])
    (closed,) = integrity_report(application=acme.application)["incidents"]
    assert closed.type == "tab_hidden" and not closed.ongoing
