"""What a newcomer sees first, in Chromium: the board's camera notices (one and grouped), the
camera state beside a whole 4:3 snapshot, one time format across pages, the narrow layouts
(375 px) with nothing scrolling sideways and toasts that cover no control, and the printed
report. Conditions are awaited; nothing asserts how fast."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from applications.models import JobApplication, MonitoringConsent
from applications.notice import CURRENT as NOTICE
from monitoring.integrity.services import integrity_rebuild
from monitoring.models import AccessEvent
from tests.e2e.conftest import login, screenshot
from tests.e2e.test_review_console import Api
from tests.factories import CandidateFactory, JobApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000
NARROW = {"width": 375, "height": 740}


def _recordable(application) -> None:
    JobApplication.objects.filter(pk=application.pk).update(
        status="in_progress", started_at=timezone.now() - timedelta(minutes=5)
    )
    MonitoringConsent.objects.get_or_create(
        application=application, defaults={"notice_version": NOTICE, "accepted_at": timezone.now()}
    )


def _board(page, base_url, password):
    login(page, base_url, "rita", password)
    page.goto(base_url + "/console/live/")
    expect(page.locator("[data-board-status]")).to_have_attribute("data-state", "live")


def test_the_board_tells_when_a_camera_starts_and_stops(acme, page, base_url, password):
    _recordable(acme.application)
    john = Api(base_url, acme.candidate, acme.application)
    _board(page, base_url, password)

    john.post("/api/camera/status", {"is_active": True, "application_id": acme.application.id})
    expect(page.locator(".toast", has_text="John Carter turned the camera on")).to_be_visible(
        timeout=WAIT_MS
    )
    screenshot(page, "live-board-notice")
    john.post("/api/camera/status", {"is_active": False, "application_id": acme.application.id})
    expect(page.locator(".toast", has_text="John Carter turned the camera off")).to_be_visible(
        timeout=WAIT_MS
    )


def test_many_cameras_at_once_make_one_notice(acme, page, base_url, password):
    others = []
    for i, name in enumerate(("Ada", "Ben", "Cy")):
        user = CandidateFactory(username=f"c{i}", first_name=name, last_name="Doe")
        app = JobApplicationFactory(job=acme.job, candidate=user)
        _recordable(app)
        others.append(Api(base_url, user, app))
    _board(page, base_url, password)
    for api in others:
        api.post("/api/camera/status", {"is_active": True, "application_id": api.app})
    expect(page.locator(".toast", has_text="3 cameras turned on")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".toast", has_text="turned the camera on")).to_have_count(0)


def test_the_camera_state_stays_beside_a_whole_snapshot(acme, page, base_url, password, bucket):
    _recordable(acme.application)
    john = Api(base_url, acme.candidate, acme.application)
    _board(page, base_url, password)
    john.post("/api/camera/status", {"is_active": True, "application_id": acme.application.id})
    john.upload("camera", timezone.now(), shade=60)
    card = page.locator(".stream-card", has_text="@john")
    picture = card.locator("img.stream-snapshot")
    expect(picture).to_be_visible(timeout=WAIT_MS)
    expect(card.locator(".stream-state")).to_be_visible()
    expect(card.locator(".stream-state")).to_contain_text("Camera active")
    expect(card.locator(".stream-shot")).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stream-snapshot'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    box = picture.bounding_box()
    assert abs(box["width"] / box["height"] - 4 / 3) < 0.02  # 640 × 480, neither cropped nor bent
    screenshot(page, "live-board")


def test_one_time_format_on_the_console_the_timeline_and_the_board(
    acme, page, base_url, password, bucket
):
    _recordable(acme.application)
    john = Api(base_url, acme.candidate, acme.application)
    with john.camera_on():
        taken = timezone.now().replace(microsecond=0) - timedelta(seconds=5)
        john.upload("camera", taken, shade=10)
        login(page, base_url, "rita", password)

        page.goto(base_url + "/console/")
        on_console = page.locator("[data-last-capture] time").inner_text()
        page.goto(f"{base_url}/console/applications/{acme.application.id}/")
        on_timeline = page.locator(".thumb time").first.inner_text()
        page.goto(base_url + "/console/live/")
        on_board = page.locator(".stream-shot time").inner_text(timeout=WAIT_MS)
    expected = page.evaluate(
        "iso => new Intl.DateTimeFormat(undefined, "
        "{hour: '2-digit', minute: '2-digit', second: '2-digit'}).format(new Date(iso))",
        taken.isoformat(),
    )
    assert on_console == on_timeline == on_board == expected


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.querySelector('[data-shell]')"
        ".scrollWidth, window.innerWidth]"
    )
    wide = page.evaluate(
        """() => [...document.querySelectorAll('[data-shell] *')]
          .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' +
            Math.round(el.getBoundingClientRect().right))"""
    )
    assert widths[0] <= widths[2] and widths[1] <= widths[2], (widths, wide)


def _inside_viewport(locator, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_the_console_the_board_and_the_interview_page_at_375px(
    acme, browser, base_url, password, bucket
):
    _recordable(acme.application)
    john = Api(base_url, acme.candidate, acme.application)
    john.upload("camera", timezone.now() - timedelta(seconds=30), shade=40)
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    login(page, base_url, "rita", password)

    page.goto(base_url + "/console/")
    _no_sideways_scroll(page)
    row = page.locator("tr", has_text="@john")
    for cell in ("score", "camera", "review"):
        _inside_viewport(row.locator(f'[data-cell="{cell}"]'), NARROW["width"])
        expect(row.locator(f'[data-cell="{cell}"]')).to_be_visible()
    screenshot(page, "console-narrow")
    expect(page.get_by_role("link", name="Live board")).to_be_hidden()  # behind the menu
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Live board")).to_be_visible()
    screenshot(page, "menu-narrow")
    page.get_by_role("link", name="Live board").click()
    john.post("/api/camera/status", {"is_active": True, "application_id": acme.application.id})
    expect(page.locator(".stream-card", has_text="@john")).to_be_visible(timeout=WAIT_MS)
    _no_sideways_scroll(page)
    screenshot(page, "live-board-narrow")
    context.close()

    john.post("/api/camera/status", {"is_active": False, "application_id": acme.application.id})
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    login(page, base_url, "john", password)
    page.goto(f"{base_url}/interview/{acme.application.id}/")
    page.get_by_role("button", name="Turn camera on").click()
    expect(page.locator(".toast").first).to_be_visible(timeout=WAIT_MS)
    _no_sideways_scroll(page)
    covered = page.evaluate(
        """() => {
          const shell = document.querySelector('[data-shell]').getBoundingClientRect();
          const toasts = [...document.querySelectorAll('.toast')]
            .map(t => t.getBoundingClientRect());
          const hits = [];
          for (const el of document.querySelectorAll('button, a, input, select, video')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || el.closest('#toasts')) continue;
            // what of it shows: the part inside the scrolling page
            const top = Math.max(r.top, shell.top), bottom = Math.min(r.bottom, shell.bottom);
            if (bottom <= top) continue;
            for (const t of toasts) {
              if (t.left < r.right && t.right > r.left && t.top < bottom && t.bottom > top) {
                hits.push(el.outerHTML.slice(0, 80));
              }
            }
          }
          return hits;
        }"""
    )
    assert covered == []
    screenshot(page, "interview-narrow")
    context.close()


def test_the_printed_report_holds_the_score_and_every_reason(acme, page, base_url, password):
    application = acme.application
    start = timezone.now() - timedelta(minutes=30)
    _recordable(application)
    JobApplication.objects.filter(pk=application.pk).update(started_at=start)
    api = Api(base_url, acme.candidate, application)
    for offset, kind in (
        (60, "tab_hidden"),
        (240, "tab_visible"),
        (400, "window_blur"),
        (700, "window_focus"),
    ):
        api.post(
            f"/api/applications/{application.id}/events/",
            {"type": kind, "occurred_at": (start + timedelta(seconds=offset)).isoformat()},
        )
    JobApplication.objects.filter(pk=application.pk).update(
        status="completed", completed_at=start + timedelta(minutes=20)
    )
    report = integrity_rebuild(application_id=application.pk)
    reasons = [i.reason for i in report["incidents"]]
    assert len(reasons) >= 2

    login(page, base_url, "rita", password)
    page.goto(f"{base_url}/console/applications/{application.id}/")
    page.get_by_role("link", name="Print report").click()
    expect(page.get_by_role("heading", name="Interview integrity report")).to_be_visible()
    screenshot(page, "report")
    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 2
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert f"{report['score']}" in text and "Interview integrity report" in text
    for reason in reasons:
        # The page says each reason in the reader's zone and clock ("12:11:41 PM"), where the
        # stored reason says UTC: the words around the times are the same.
        before, _, rest = " ".join(reason.split()).partition(" from ")
        assert f"{before} from " in text, reason
        assert rest[rest.rindex("(") :] in text, reason
    assert "Print or save as PDF" not in text  # the page's own controls stay off paper
    assert AccessEvent.objects.filter(
        action="report_printed", application_id=application.pk
    ).exists()
