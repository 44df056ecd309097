"""Identity in Chromium (issue 32, "Done when"): the candidate's camera shows real
photographs (a canvas stream drawn from tests/fixtures/identity, switched by the test), the
reviewer watches the timeline and the live board.

The candidate postpones the reference step and is reminded, is guided by the server's answer
(too dark), takes the selfie and the ID document; captures flow and match; a capture showing
another person makes an `identity_mismatch` on the timeline and the board card; the reviewer
rejects with a note; a camera whose label names a virtual camera (the page's
enumerateDevices overridden, as OBS would show it) makes a `virtual_camera` incident — the
server decides, from the label the page sent.
"""

import base64
import json

import pytest
from playwright.sync_api import expect

from accounts.models import Organization
from applications.models import JobApplication
from monitoring.models import (
    IdentityDecision,
    IdentityReference,
    IntegrityEvent,
    IntegrityRules,
    MonitoringEvent,
    MonitoringImage,
)
from tests.e2e.conftest import login, screenshot, wait_until
from tests.monitoring.identity.conftest import dark, document, jpeg, photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 30_000

# The camera: a canvas stream drawing the photograph named by window.__face (decoded from
# bytes, so no image URL meets the page's CSP). Chromium's fake device stays listed (its
# label "fake_device_0"), so the page reports that label unless the test says otherwise.
FAKE_CAMERA = """
(() => {
  const faces = %s;
  window.__face = "obama";
  const bitmaps = {};
  const ready = Promise.all(Object.entries(faces).map(async ([name, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    bitmaps[name] = await createImageBitmap(new Blob([bytes], { type: "image/jpeg" }));
  }));
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.video) return real(constraints);
    await ready;
    // The permission, so that the device list names the cameras.
    await real({ video: true }).then((s) => s.getTracks().forEach((t) => t.stop()));
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext("2d");
    const draw = () => ctx.drawImage(bitmaps[window.__face], 0, 0, 640, 480);
    draw();
    setInterval(draw, 100);
    return canvas.captureStream(10);
  };
})();
"""


def _b64(image) -> str:
    return base64.b64encode(jpeg(image)).decode()


def test_identity_from_selfie_to_decision_and_a_virtual_camera(
    acme, browser, base_url, password, bucket
):
    app = acme.application
    JobApplication.objects.filter(pk=app.pk).update(camera_interval=2)
    Organization.objects.filter(pk=acme.organization.pk).update(
        identity_check="selfie_and_document"
    )
    IntegrityRules.objects.update_or_create(
        organization=acme.organization, defaults={"sustain_frames": 2, "sustain_seconds": 60}
    )
    faces = {
        "obama": _b64(photo("obama_2010")),
        "card": _b64(document("obama_2009")),
        "biden": _b64(photo("biden_2010")),
        "dark": _b64(dark("obama_2012")),
    }
    candidate = browser.new_context(viewport={"width": 1280, "height": 900})
    candidate.add_init_script(FAKE_CAMERA % json.dumps(faces))
    john = candidate.new_page()
    reviewer = browser.new_context(viewport={"width": 1366, "height": 900})
    rita = reviewer.new_page()

    # --- The notice names face templates; the reference step is postponable ------------------
    login(john, base_url, "john", password)
    john.goto(f"{base_url}/interview/{app.id}/")
    expect(john.locator("[data-notice-identity]")).to_contain_text("face template")
    expect(john.locator("[data-notice-identity]")).to_contain_text("30 days")
    john.get_by_role("button", name="I agree — continue").click()
    step = john.locator("[data-identity-step]")
    expect(step).to_be_visible(timeout=WAIT_MS)
    expect(step).to_contain_text("Reference photo")
    step.get_by_role("button", name="Later").click()
    reminder = john.locator("[data-identity-reminder]")
    expect(reminder).to_contain_text("not done yet")
    # Recording does not wait for it.
    john.get_by_role("button", name="Turn camera on").click()
    assert wait_until(john, lambda: MonitoringImage.objects.filter(application=app).exists())
    reminder.get_by_role("button", name="Take them now").click()

    # --- Guided by the server's answer, then the selfie and the ID document ------------------
    john.evaluate("window.__face = 'dark'")
    john.wait_for_timeout(300)
    step.get_by_role("button", name="Take photo").click()
    expect(step.locator('[data-check="light"]')).to_have_attribute("data-state", "bad")
    expect(step.locator("[data-identity-message]")).to_contain_text("too dark")
    john.set_viewport_size({"width": 375, "height": 800})  # a phone: the step still reads
    step.scroll_into_view_if_needed()
    assert john.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(john, "identity-candidate-step")
    john.set_viewport_size({"width": 1280, "height": 900})
    john.evaluate("window.__face = 'obama'")
    john.wait_for_timeout(300)
    step.get_by_role("button", name="Take photo").click()
    expect(step).to_contain_text("Your ID document", timeout=WAIT_MS)
    expect(step.locator("[data-identity-progress]")).to_have_text("2 / 2")
    john.evaluate("window.__face = 'card'")
    john.wait_for_timeout(300)
    step.get_by_role("button", name="Take photo").click()
    expect(step).to_be_hidden(timeout=WAIT_MS)
    expect(reminder).to_be_hidden()
    assert IdentityReference.objects.filter(application=app).count() == 2
    john.evaluate("window.__face = 'obama'")

    # --- Captures flow and match ---------------------------------------------------------------
    assert wait_until(
        john,
        lambda: MonitoringImage.objects.filter(
            application=app, analysis__identity_mismatch=False
        ).count()
        >= 2,
        timeout_ms=WAIT_MS,
    )
    login(rita, base_url, "rita", password)
    board = reviewer.new_page()
    board.goto(f"{base_url}/console/live/")
    rita.goto(f"{base_url}/console/applications/{app.id}/")
    card = rita.locator("[data-identity-card]")
    expect(card.locator("[data-identity-state]")).to_have_text("Face matches", timeout=WAIT_MS)
    expect(card.locator('[data-kind="selfie"] img')).to_be_visible()
    expect(card.locator('[data-kind="document"] img')).to_be_visible()
    expect(card.locator("[data-identity-stats]")).to_contain_text("same person")
    expect(board.locator(".stream-identity")).to_have_text("Face matches", timeout=WAIT_MS)

    # --- Another person at the camera: identity_mismatch on the timeline and the board --------
    john.evaluate("window.__face = 'biden'")
    assert wait_until(
        john,
        lambda: IntegrityEvent.objects.filter(application=app, type="identity_mismatch").exists(),
        timeout_ms=WAIT_MS,
    )
    chip = rita.locator('.event-chip[data-event-type="incident-identity_mismatch"]')
    expect(chip).to_be_visible(timeout=WAIT_MS)
    expect(chip).to_contain_text("Face does not match the selfie")
    expect(rita.locator(".thumb.is-flagged .thumb-flags").last).to_contain_text(
        "Face does not match the selfie", timeout=WAIT_MS
    )
    expect(board.locator(".stream-incident")).to_contain_text(
        "Face does not match the selfie", timeout=WAIT_MS
    )
    expect(board.locator(".stream-identity")).to_have_text("Face mismatch", timeout=WAIT_MS)
    expect(card.locator("[data-identity-state]")).to_have_text("Face mismatch", timeout=WAIT_MS)
    # The viewer says it too, with the distance.
    rita.locator(".thumb.is-flagged").last.click()
    expect(rita.locator("[data-viewer-title]")).to_contain_text("does not match the selfie")
    rita.get_by_role("button", name="Close viewer").click()

    # --- The reviewer decides ---------------------------------------------------------------------
    rita.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-identity-note]").fill("Another man at the camera from the third frame on.")
    card.get_by_role("button", name="Reject identity").click()
    expect(card.locator("[data-identity-state]")).to_have_text("Identity rejected", timeout=WAIT_MS)
    expect(card.locator("[data-identity-decision]")).to_contain_text("Another man")
    decision = IdentityDecision.objects.get(application=app)
    assert decision.decision == "rejected" and decision.decided_by == acme.recruiter
    expect(board.locator(".stream-identity")).to_have_text("Identity rejected", timeout=WAIT_MS)
    card.scroll_into_view_if_needed()
    screenshot(rita, "identity-review-card")
    screenshot(board, "identity-board-card")
    rita.set_viewport_size({"width": 375, "height": 800})  # the card on a phone
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert card.locator('[data-kind="document"] img').bounding_box()["x"] + 100 <= 375
    rita.set_viewport_size({"width": 1366, "height": 900})
    rita.goto(f"{base_url}/console/")
    expect(rita.locator('[data-cell="identity"] [data-identity-state="rejected"]')).to_be_visible()
    rita.goto(f"{base_url}/console/applications/{app.id}/report/")
    expect(rita.locator("[data-report-identity]")).to_contain_text("Identity rejected")
    assert not MonitoringEvent.objects.filter(application=app, type="virtual_camera").exists()

    # --- A virtual camera: the page reports its label, the server decides ----------------------
    john.evaluate("window.__face = 'obama'")
    john.get_by_role("button", name="Turn camera off").click()
    john.evaluate(
        """() => {
        const list = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
        const obs = "OBS Virtual Camera";
        navigator.mediaDevices.enumerateDevices = async () => (await list()).map((d) =>
          d.kind === "videoinput"
            ? { deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: obs }
            : d);
      }"""
    )
    john.get_by_role("button", name="Turn camera on").click()
    assert wait_until(
        john,
        lambda: IntegrityEvent.objects.filter(application=app, type="virtual_camera").exists(),
        timeout_ms=WAIT_MS,
    )
    event = MonitoringEvent.objects.get(application=app, type="virtual_camera")
    assert "OBS Virtual Camera" in event.detail
    rita.goto(f"{base_url}/console/applications/{app.id}/")
    expect(rita.locator('.event-chip[data-event-type="incident-virtual_camera"]')).to_contain_text(
        "Virtual camera in use", timeout=WAIT_MS
    )
    candidate.close()
    reviewer.close()
