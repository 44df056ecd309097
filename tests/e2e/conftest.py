"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn process.

The server is a separate uvicorn process (HTTP and WebSockets, like production) that uses the
test database; tests create data with `transactional_db` so the server sees it. With
REDIS_URL set, the test process and the server share the Redis channel layer.
"""

import io
import json
import os
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import require_service
from tests.monitoring.conftest import FRAMES
from tests.processes import asgi_server as serve
from tests.processes import child_env

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
E2E_STREAM_TIMEOUT = 6  # seconds; heartbeats every second keep live streams fresh (six may be
# late on a box the main run and the fault tier share before a live card leaves)
SCREENSHOTS = BASE_DIR / "docs" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_service("Chromium", Path(CHROMIUM).exists(), "apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Every page of every browser context reports Content-Security-Policy violations to the
# console; a test that caused one fails (our pages must satisfy the policy as they are).
CSP_PROBE = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`));
"""
CSP_VIOLATIONS: list[str] = []


def _watch_csp(message) -> None:
    if "CSP violation" in message.text or "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(message.text)


# Accessibility: axe-core (npm, tests/e2e/package.json; `bin/test` runs `npm ci`) is in every
# page of every browser context. It runs once a page has loaded, and again on the state a test
# screenshots; a serious or critical WCAG 2.1 A/AA violation fails the test. An init script is
# not subject to the page's CSP, so the product's policy stays on (the CSP probe needs it).
AXE_PATH = BASE_DIR / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Widgets that are not ours to fix, left out of the check: Swagger UI's operations list on
# /api/docs/ (its own markup; the page around it — language, title — is checked).
AXE_THIRD_PARTY = ["#swagger-ui"]
AXE_RUNNER = """
let axeQueue = Promise.resolve(); // one run at a time (the load-time run, a screenshot's)
window.__invigilAxe = () => {
  const run = axeQueue.then(axeOnce);
  axeQueue = run.catch(() => {});
  return run;
};
// A toast sliding in is half transparent: contrast is judged on what settles, not on a frame
// of an animation (a colour-contrast finding counts only if it is still there once the
// page's finite animations have ended).
const settle = () => Promise.race([
  Promise.all(document.getAnimations()
    .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
    .map((a) => a.finished.catch(() => {}))),
  new Promise((r) => setTimeout(r, 6000)),
]);
const serious = (result) => result.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical");
const axeOnce = async () => {
  await settle();
  const context = { exclude: THIRD_PARTY.map((selector) => [selector]) };
  let found = serious(await axe.run(context, {
    runOnly: { type: "tag", values: AXE_TAGS },
    resultTypes: ["violations"],
  }));
  if (found.some((v) => v.id === "color-contrast")) {
    await settle();
    const again = await axe.run(context, {
      runOnly: { type: "rule", values: ["color-contrast"] },
      resultTypes: ["violations"],
    });
    found = found.filter((v) => v.id !== "color-contrast").concat(serious(again));
  }
  return found.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`) }));
};
if (window.top === window) {
  window.addEventListener("load", () => setTimeout(async () => {
    try {
      const found = await window.__invigilAxe();
      if (found.length) await window.__invigilAxeReport(location.href, found);
    } catch (err) { /* the page went away meanwhile */ }
  }, 250));
}
""".replace("AXE_TAGS", json.dumps(AXE_TAGS)).replace("THIRD_PARTY", json.dumps(AXE_THIRD_PARTY))
AXE_VIOLATIONS: list[str] = []
# Assertions wait up to 10 s (Playwright's default is 5): the browser tests run beside the main
# run on two cores (bin/test), and a passing assertion returns as soon as it holds.
expect.set_options(timeout=10_000)
# Origins of pages that are not ours (the test OpenID Connect provider's sign-in page): a test
# that opens one adds it here; their load-time runs are not reported.
AXE_FOREIGN_ORIGINS: set[str] = set()


def axe_script() -> str:
    require_service("axe-core", AXE_PATH.exists(), "cd tests/e2e && npm ci")
    return AXE_PATH.read_text() + "\n" + AXE_RUNNER


def _axe_report(source, where: str, found: list[dict]) -> None:
    address = urlsplit(where)
    if f"{address.scheme}://{address.netloc}" in AXE_FOREIGN_ORIGINS:
        return
    where = address.path or where
    for violation in found:
        AXE_VIOLATIONS.append(
            f"{where}: {violation['impact']} {violation['id']} ({violation['help']})\n    "
            + "\n    ".join(violation["nodes"])
        )


def axe_check(page, where: str = "") -> list[str]:
    """Run axe on the page as it is now; the serious and critical violations are recorded."""
    before = len(AXE_VIOLATIONS)
    _axe_report(None, where or page.url, page.evaluate("() => window.__invigilAxe()"))
    return AXE_VIOLATIONS[before:]


def instrument(browser):
    """Every new context of this browser carries the CSP probe and axe."""
    original = browser.new_context
    axe = axe_script()

    def new_context(*args, **kwargs):
        # Less motion, as a user may ask: toasts appear without sliding in, so axe never
        # judges the contrast of a half-transparent frame of an animation.
        kwargs.setdefault("reduced_motion", "reduce")
        context = original(*args, **kwargs)
        context.add_init_script(CSP_PROBE)
        context.on("console", _watch_csp)
        context.add_init_script(axe)
        context.expose_binding("__invigilAxeReport", _axe_report)
        return context

    browser.new_context = new_context
    return browser


@pytest.fixture(scope="session")
def browser(browser):
    """pytest-playwright's browser, instrumented (CSP probe, axe)."""
    return instrument(browser)


@pytest.fixture(autouse=True)
def _no_csp_violations():
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


@pytest.fixture(autouse=True)
def _no_accessibility_violations():
    AXE_VIOLATIONS.clear()
    yield
    assert AXE_VIOLATIONS == [], "Serious or critical WCAG 2.1 A/AA violations (axe-core):\n" + (
        "\n".join(AXE_VIOLATIONS)
    )


@pytest.fixture(scope="session")
def face_camera(tmp_path_factory):
    """A fake camera that shows a face: Chromium plays an MJPEG file (a photo, repeated)."""
    photo = Image.open(FRAMES / "one_face.jpg").convert("RGB").resize((640, 480))
    frame = io.BytesIO()
    photo.save(frame, format="JPEG", quality=90)
    path = tmp_path_factory.mktemp("camera") / "face.mjpeg"
    path.write_bytes(frame.getvalue() * 30)
    return path


@pytest.fixture(scope="session")
def face_browser(browser_type, face_camera):
    """A second Chromium whose fake camera shows the face (the suite's shows a test card),
    instrumented like the suite's (CSP probe, axe)."""
    other = browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={face_camera}"],
    )
    yield instrument(other)
    other.close()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 860}}


@pytest.fixture(scope="session")
def e2e_bucket():
    """A moto S3 server on loopback and a bucket: the browser tests store images in real S3."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="invigil-e2e")
    client.bucket = "invigil-e2e"
    client.endpoint = endpoint
    yield client
    server.stop()


@pytest.fixture
def bucket(e2e_bucket):
    """The e2e bucket, emptied for this test."""
    listing = e2e_bucket.list_objects_v2(Bucket=e2e_bucket.bucket).get("Contents", [])
    for obj in listing:
        e2e_bucket.delete_object(Bucket=e2e_bucket.bucket, Key=obj["Key"])
    return e2e_bucket


def e2e_env(e2e_bucket) -> dict[str, str]:
    """The browser tests' server settings (also for a second server of the same site)."""
    return child_env(
        CAMERA_STREAM_TIMEOUT=str(E2E_STREAM_TIMEOUT),
        CAMERA_HEARTBEAT_SECONDS="1",
        MONITORING_TIMELINE_PAGE_SIZE="15",  # so the timeline's paging is exercised
        # The fixtures back-fill whole interviews through the API in a few seconds; with
        # the default slack every one of those captures would be "late".
        MONITORING_LATE_SLACK="3600",
        AWS_S3_BUCKET_NAME=e2e_bucket.bucket,
        AWS_ENDPOINT_URL_S3=e2e_bucket.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        # The single sign-on test's provider serves plain http on loopback (tests/oidc).
        SSO_ALLOW_HTTP_ISSUER="true",
    )


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, tmp_path_factory, e2e_bucket):
    """One uvicorn process for the browser tests (HTTP + WebSockets, like production)."""
    log_path = tmp_path_factory.mktemp("asgi") / "asgi.log"
    try:
        with serve(e2e_env(e2e_bucket), log_path) as url:
            yield url
    finally:
        if os.environ.get("E2E_SHOW_SERVER_LOG") and log_path.exists():
            sys.stderr.write(log_path.read_text())


@pytest.fixture(scope="session")
def base_url(asgi_server) -> str:
    return asgi_server


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def wait_until(page, predicate, timeout_ms: int = 15_000, step_ms: int = 250) -> bool:
    """Poll a server-side condition (the database) while the page keeps running."""
    for _ in range(timeout_ms // step_ms):
        if predicate():
            return True
        page.wait_for_timeout(step_ms)
    return predicate()


def screenshot(page, name: str) -> Path:
    """Save a screenshot under docs/screenshots (shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe_check(page, f"screenshot {name}")  # the state a test finds worth showing, checked too
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture(autouse=True)
def _clean_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _settle_before_flush(request):
    """Let the server finish what closing pages sent it (the keepalive `is_active: false`)
    before the test database is flushed: a TRUNCATE racing those writes can deadlock.

    Autouse, so it is set up after the database and before the browser page: its teardown
    runs after the page has closed and before the flush.
    """
    yield
    time.sleep(1.0)
