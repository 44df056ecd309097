// The candidate's interview panel: consent, start, camera, screen share, automatic and manual
// captures through the upload queue, honest status, finish. Wires the small modules together.

import { Camera, mountCameraCard } from "../cameras/camera.js";
import { LiveSender, mountWatchNotice } from "../cameras/live.js";
import { ProctorLink, mountMessagePanel } from "../cameras/proctor.js";
import { serverNow } from "../js/clock.js";
import { postJSON } from "../js/http.js";
import { fill, t } from "../js/i18n.js";
import { formatTime } from "../js/time.js";
import { timeAgo, toast } from "../js/toast.js";
import { MonitoringImages } from "./client.js";
import { EventReporter } from "./events.js";
import { mountIdentityStep } from "./identity.js";
import { UploadQueue } from "./queue.js";
import { ScreenShare } from "./screen.js";

export function mountInterviewPanel(root, config) {
  const $ = (sel) => root.querySelector(sel);
  const show = (sel, on = true) => { const el = $(sel); if (el) el.hidden = !on; };
  const api = `/api/applications/${config.applicationId}`;

  const camera = new Camera({ statusUrl: "/api/camera/status", applicationId: config.applicationId, heartbeatMs: config.heartbeatMs });
  const cameraCard = mountCameraCard($("#camera-card"), camera, { toast });
  const labels = config.labels || {};
  const uploadedBefore = config.uploadedBefore || 0; // sent by an earlier visit of this page
  let welcomed = false;
  const live = new LiveSender(camera); // reviewers may watch the camera live; the page says who
  mountWatchNotice($("[data-watch-notice]"), live);
  const images = new MonitoringImages({ applicationId: config.applicationId });
  const queue = new UploadQueue(images, config.retry || {});
  const screen = new ScreenShare($("[data-screen-video]"));
  const events = new EventReporter(config.applicationId);
  // The reference photos (identity check): part of the workspace, never in recording's way.
  const identity = mountIdentityStep(root, {
    camera,
    video: $("#camera-card video"),
    applicationId: config.applicationId,
    identity: config.identity,
  });
  const timers = [];
  // Live proctoring: messages both ways, a raised hand, the end of the interview.
  const link = new ProctorLink({
    applicationId: config.applicationId,
    history: config.conversation || [],
    handRaised: config.handRaised,
  });
  let status = config.status;
  let consented = config.consented;
  // none | active | outdated (agreed to an older notice: asked again) | withdrawn | declined
  let consentState = config.consentState || (consented ? "active" : "none");
  let reconsidering = false; // the candidate asked to read the notice again after a "no"

  // --- State and layout -------------------------------------------------------------------
  const STATUS_LABELS = { invited: t("Invited"), in_progress: t("In progress"), completed: t("Completed"), withdrawn: t("Withdrawn"), terminated: t("Ended by a reviewer") };
  function layout() {
    const active = status === "in_progress" && consented;
    if (!active) stopAutoCapture();
    const badge = document.querySelector("[data-status-badge]");
    if (badge) {
      badge.textContent = STATUS_LABELS[status] || status;
      badge.className = `status status-${status}`;
    }
    const open = status === "invited" || status === "in_progress";
    const saidNo = (consentState === "declined" || consentState === "withdrawn") && !reconsidering;
    show("[data-consent]", open && !consented && !saidNo);
    show("[data-declined]", open && saidNo && consentState === "declined");
    show("[data-consent-withdrawn]", open && saidNo && consentState === "withdrawn");
    show("[data-start]", consented && status === "invited");
    show("[data-workspace]", active);
    show("[data-finished]", status === "completed");
    show("[data-withdrawn]", status === "withdrawn");
    show("[data-terminated]", status === "terminated");
    show("[data-chat]", status === "in_progress" || (status === "terminated" && link.messages.size > 0));
    show("[data-chat-form]", status === "in_progress");
    show("[data-hand]", status === "in_progress");
    events.enabled = active;
    if (status === "in_progress") link.connect();
    if (active && !welcomed && uploadedBefore > 0 && !camera.isOn) {
      // Back on the page of an interview under way: what is stored, and what to do now.
      welcomed = true;
      cameraCard.showMessage(fill(labels.welcome_back, { count: uploadedBefore }), "info");
    }
    if (active) startAutoCapture();
    if (active) setTimeout(() => checkShareOnResume(), 0); // once the share section is wired
  }

  // --- Consent ----------------------------------------------------------------------------
  $("[data-consent-accept]")?.addEventListener("click", async (e) => {
    e.target.disabled = true;
    try {
      await postJSON(`${api}/consent/`, { accepted: true, notice_version: config.noticeVersion, language: config.language });
      const before = consentState;
      consented = true;
      consentState = "active";
      reconsidering = false;
      $("[data-notice-changes]")?.remove();
      let thanks = t("Thank you. Monitoring starts when you begin the interview.");
      if (status === "in_progress") {
        thanks = before === "withdrawn" || before === "outdated"
          ? t("Thank you. Turn your camera on again to go on with the interview.")
          : t("Thank you. Turn your camera on to begin.");
      }
      toast(thanks, "ok");
      e.target.disabled = false;
      layout();
      showNextStep();
    } catch (err) {
      if (err.code === "notice_outdated") window.location.reload(); // a newer notice to read
      showConsentError(err.message);
      e.target.disabled = false;
    }
  });
  $("[data-consent-decline]")?.addEventListener("click", async (e) => {
    e.target.disabled = true;
    try {
      // Recorded with the notice version and the language shown.
      await postJSON(`${api}/consent/`, { accepted: false, notice_version: config.noticeVersion, language: config.language });
      consentState = "declined";
      reconsidering = false;
      showConsentError("");
      layout();
    } catch (err) {
      showConsentError(err.message);
    } finally {
      e.target.disabled = false;
    }
  });
  root.querySelectorAll("[data-consent-reconsider]").forEach((button) =>
    button.addEventListener("click", () => {
      reconsidering = true;
      layout();
    }),
  );

  // --- Withdrawal: everything stops here at once, then the server records it ---------------
  $("[data-withdraw]")?.addEventListener("click", () => {
    if (!window.confirm(t("Withdraw your consent to monitoring? Your camera and screen sharing stop at once, captures not yet sent are discarded, and nothing more is recorded."))) return;
    withdraw();
  });
  $("[data-withdraw-retry]")?.addEventListener("click", () => withdraw());
  async function withdraw() {
    stopAutoCapture();
    events.enabled = false;
    const dropped = queue.discard();
    screen.stop();
    camera.stop({ reason: "withdrawn" });
    consented = false;
    consentState = "withdrawn";
    reconsidering = false;
    layout();
    const error = $("[data-withdraw-error]");
    try {
      const answer = await postJSON(`${api}/consent/`, { accepted: false });
      const at = answer.withdrawn_at ? formatTime(answer.withdrawn_at, { seconds: true }) : "";
      const withdrawn = at ? t("You withdrew your consent at {time}.", { time: at }) : t("You withdrew your consent.");
      const stopped = dropped
        ? t("Your camera and screen sharing are off, {count} capture(s) not yet sent were discarded, and nothing more is recorded.", { count: dropped })
        : t("Your camera and screen sharing are off, and nothing more is recorded.");
      $("[data-withdrawn-when]").textContent = `${withdrawn} ${stopped}`;
      error.hidden = true;
      show("[data-withdraw-retry]", false);
      toast(t("Consent withdrawn. Nothing more is recorded."), "ok");
    } catch (err) {
      // Nothing is captured on this page any more either way; the server must still hear it.
      error.textContent = t("Recording stopped on this page, but the server could not be told: {message}", { message: err.message });
      error.hidden = false;
      show("[data-withdraw-retry]", true);
    }
  }
  /** After "I agree": the next thing to do in view and focused (a phone stays scrolled down at
   * the end of the notice otherwise, with the camera off-screen). */
  function showNextStep() {
    // The reference photo comes first where the organization asks for one (it can be put off;
    // recording never waits for it), then the start or the camera.
    const photo = $("[data-identity-step]");
    const next = photo && !photo.closest("[hidden]") ? photo
      : !$("[data-start]").hidden ? $("[data-start]") : $("#camera-card");
    if (!next || next.closest("[hidden]")) return;
    next.scrollIntoView({ block: "start" });
    next.querySelector("[data-identity-take], [data-start-button], [data-camera-toggle]")
      ?.focus({ preventScroll: true });
  }
  function showConsentError(text) {
    const el = $("[data-consent-error]");
    el.textContent = text;
    el.hidden = !text;
  }

  // --- Start / finish ---------------------------------------------------------------------
  $("[data-start-button]")?.addEventListener("click", async (e) => {
    e.target.disabled = true;
    try {
      const app = await postJSON(`${api}/start/`);
      status = app.status;
      toast(t("Interview started. Turn your camera on and share your screen."), "ok");
      layout();
    } catch (err) {
      toast(err.message, "error");
      e.target.disabled = false;
    }
  });

  $("[data-finish]")?.addEventListener("click", async (e) => {
    if (!window.confirm(t("Finish the interview? Your camera and screen sharing will stop."))) return;
    e.target.disabled = true;
    stopAutoCapture();
    setFinishing(t("Uploading {count} remaining capture(s)…", { count: queue.length }));
    await queue.drain();
    events.enabled = false; // finishing ends the share: not an incident
    await camera.stop();
    screen.stop();
    try {
      const done = await postJSON(`${api}/finish/`);
      status = done.status;
      setFinishing("");
      layout();
      toast(t("Interview finished. Thank you!"), "ok");
    } catch (err) {
      setFinishing(err.message);
      e.target.disabled = false;
    }
  });
  function setFinishing(text) {
    const el = $("[data-finish-status]");
    el.textContent = text;
    el.hidden = !text;
  }

  // --- Ended by a reviewer: everything stops here at once; what was taken before is sent ---
  link.on("terminated", (e) => terminated(e.detail.reason));
  async function terminated(reason) {
    if (status === "terminated") return;
    status = "terminated";
    events.enabled = false;
    stopAutoCapture();
    camera.stop({ reason: "terminated" });
    screen.stop();
    $("[data-terminated-reason]").textContent = reason;
    layout();
    toast(t("The interview was ended by the recruiter."), "warn", 8000);
    await queue.drain(); // captures dated before the end are accepted for 5 minutes
    $("[data-terminated-drain]").textContent = t("Your camera and screen sharing are off and nothing more is captured. Everything taken before the end was sent.");
  }

  // --- Captures ---------------------------------------------------------------------------
  function captureCamera(manual = false) {
    if (!camera.isOn) {
      if (manual) toast(t("Turn your camera on first."), "warn");
      return;
    }
    try {
      queue.add("camera", images.captureCamera($("#camera-card video")));
    } catch (err) {
      if (manual) toast(err.message, "warn");
    }
  }

  function captureScreen(manual = false) {
    if (!screen.isSharing) {
      if (manual) toast(t("Share your screen first."), "warn");
      return;
    }
    try {
      queue.add("screen", images.captureScreen($("[data-screen-video]")));
    } catch (err) {
      if (manual) toast(err.message, "warn");
    }
  }

  function startAutoCapture() {
    if (timers.length) return;
    if (config.cameraMonitoring) timers.push(setInterval(() => captureCamera(), config.cameraInterval * 1000));
    if (config.screenMonitoring) timers.push(setInterval(() => captureScreen(), config.screenInterval * 1000));
  }

  function stopAutoCapture() {
    timers.splice(0).forEach(clearInterval);
  }

  $("[data-capture-camera]").addEventListener("click", () => captureCamera(true));
  $("[data-capture-screen]").addEventListener("click", () => captureScreen(true));
  // The first snapshot once the preview shows a frame.
  camera.addEventListener("started", () => setTimeout(() => captureCamera(), 1000));

  // --- Screen share -----------------------------------------------------------------------
  // However sharing ends — this page's button, the browser's own bar, the track ending, a
  // reload, the tab closed — the record says so (screen_share_stopped) and, while the page is
  // open, the candidate is asked to share again.
  const shareButton = $("[data-share]");
  const shareMessage = $("[data-share-message]");
  let leaving = false; // the page is going away (reload, tab closed): say so while it can
  const sharingAsked = () => config.screenMonitoring && status === "in_progress" && consented;
  function askToShare(how) {
    if (!canShare) return renderShare();
    renderShare(`${how} ${t("This interview needs your entire screen shared: share it again to go on — until you do, the recruiter sees that it stopped.")}`, "error");
    shareButton.focus();
  }
  function renderShare(message = "", kind = "warn") {
    const on = screen.isSharing;
    if (config.screenMonitoring && !canShare) {
      message = $("[data-needs-computer]").textContent.trim();
      kind = "error";
    }
    shareButton.disabled = config.screenMonitoring && !canShare;
    shareButton.classList.toggle("btn-attention", !on && kind === "error");
    shareButton.textContent = on ? t("Stop sharing") : t("Share entire screen");
    shareButton.classList.toggle("btn-danger", on);
    shareButton.classList.toggle("btn-primary", !on);
    show("[data-screen-video]", on);
    show("[data-screen-placeholder]", !on);
    show("[data-screen-badge]", on);
    shareMessage.textContent = message;
    shareMessage.className = message ? `alert alert-${kind}` : "";
    shareMessage.hidden = !message;
  }
  // A phone or tablet cannot share its screen: say "use a computer" instead of asking.
  const canShare = Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  if (config.screenMonitoring && !canShare) {
    root.querySelectorAll("[data-needs-computer]").forEach((el) => { el.hidden = false; });
  }
  shareButton.addEventListener("click", async () => {
    if (screen.isSharing) {
      screen.stop();
      return;
    }
    try {
      await screen.start();
    } catch (err) {
      renderShare(err.message, "error");
    }
  });
  screen.addEventListener("started", () => {
    renderShare();
    events.report("screen_share_started");
    captureScreen();
    toast(t("Screen sharing on."), "ok");
  });
  screen.addEventListener("ended", () => {
    events.report("screen_share_stopped", "ended in the browser");
    if (sharingAsked()) askToShare(t("Screen sharing stopped."));
    else renderShare();
  });
  screen.addEventListener("stopped", () => {
    if (leaving) {
      events.report("screen_share_stopped", "page closed or reloaded", { keepalive: true });
      return;
    }
    events.report("screen_share_stopped", "stopped on the page");
    if (sharingAsked() && events.enabled) askToShare(t("Screen sharing stopped."));
    else renderShare();
  });
  // A page that comes back (a reload, a crash) without sharing, while the record says the
  // screen is shared: the share ended with the old page. Said once, when recording resumes.
  let sharingRecord = config.screenSharing || "never"; // never | open | stopped
  function checkShareOnResume() {
    if (!sharingAsked() || !events.enabled || screen.isSharing) return;
    if (sharingRecord === "open") {
      events.report("screen_share_stopped", "the page was reloaded without sharing");
      askToShare(t("Screen sharing ended when the page was reloaded."));
    } else if (sharingRecord === "stopped") {
      askToShare(t("Screen sharing is off."));
    }
    sharingRecord = "never"; // said once; from here the page's own events speak
  }

  // --- Full-screen preview ----------------------------------------------------------------
  const fullscreenTarget = $("#camera-card .camera-preview");
  const fullscreenClose = $("[data-fullscreen-close]");
  $("[data-fullscreen]").addEventListener("click", () => {
    if (fullscreenTarget.requestFullscreen) {
      fullscreenTarget.requestFullscreen().catch((err) => toast(err.message, "warn"));
    }
  });
  // A visible way out of the full-screen preview (Escape works too).
  document.addEventListener("fullscreenchange", () => {
    fullscreenClose.hidden = document.fullscreenElement !== fullscreenTarget;
    if (!fullscreenClose.hidden) fullscreenClose.focus();
    else if (!document.fullscreenElement) $("[data-fullscreen]").focus({ preventScroll: true });
  });
  fullscreenClose.addEventListener("click", () => document.exitFullscreen().catch(() => {}));

  // --- What the checks say: a check failing for a few seconds, in plain words --------------
  // The server tells the page (presence socket, `check`) what its newest analysed camera frame
  // fails and since when; once that has lasted alertAfterSeconds the page says what to do,
  // as the reviewer's card shows it — so it can be fixed before it becomes an incident.
  const checkAlert = $("[data-check-alert]");
  let frameCheck = null;
  camera.addEventListener("check", (e) => {
    frameCheck = e.detail.check ? e.detail : null;
    renderCheck();
  });
  camera.addEventListener("stopped", () => {
    frameCheck = null;
    renderCheck();
  });
  function renderCheck() {
    const lasted = frameCheck && serverNow() - Date.parse(frameCheck.since) >= (config.alertAfterSeconds || 5) * 1000;
    const text = lasted && camera.isOn ? (config.alerts || {})[frameCheck.check] || frameCheck.message : "";
    if (checkAlert.textContent !== text) checkAlert.textContent = text; // announced once
    checkAlert.hidden = !text;
  }

  // --- Upload status ----------------------------------------------------------------------
  const statusEl = $("[data-upload-status]");
  const retryEl = $("[data-retry-in]");
  function renderQueue() {
    const n = queue.length;
    $("[data-queue-length]").textContent = String(n);
    $("[data-uploaded]").textContent = String(uploadedBefore + queue.uploaded);
    const last = queue.lastSuccessAt || (config.lastUploadAt ? Date.parse(config.lastUploadAt) : null);
    $("[data-last-upload]").textContent = last
      ? `${formatTime(last, { seconds: true })} (${timeAgo(Date.now() - last)})`
      : t("none yet");
    show("[data-spinner]", queue.busy);
    let text = "";
    let kind = "";
    let retryIn = "";
    if (queue.retrying) {
      // The countdown sits outside the live region: a region that changes every second would
      // be read out every second.
      const s = Math.max(1, Math.ceil((queue.retryAt - Date.now()) / 1000));
      text = t("Upload failed: {message} Retrying — your captures are kept.", { message: queue.lastError.message });
      retryIn = t("Next try in {seconds} s.", { seconds: s });
      kind = "warn";
    } else if (queue.lastError) {
      text = t("A capture was refused: {message}", { message: queue.lastError.message });
      kind = "error";
    } else if (queue.busy) {
      text = t("Uploading…");
    } else if (queue.uploaded > 0) {
      text = t("All captures uploaded.");
      kind = "ok";
    }
    if (statusEl.textContent !== text) statusEl.textContent = text; // announced once
    statusEl.className = text ? `upload-message alert alert-${kind || "info"}` : "upload-message";
    if (retryEl.textContent !== retryIn) retryEl.textContent = retryIn;
    retryEl.hidden = !retryIn;
  }
  queue.addEventListener("change", renderQueue);
  setInterval(() => {
    renderQueue();
    renderCheck();
  }, 1000);

  // --- Leaving ----------------------------------------------------------------------------
  window.addEventListener("pagehide", () => {
    leaving = true;
    stopAutoCapture();
    screen.stop();
  });

  mountMessagePanel($("[data-chat]"), link, { labels: config.chatLabels || {}, toast });
  events.watch();
  renderShare();
  renderQueue();
  layout();
  return { camera, queue, screen, images, events, live, link, identity };
}
