// The system check (templates/monitoring/interview_check.html): browser support, camera, a face
// in one test frame (analysed by the server, not stored: a `dry_run` upload), screen sharing
// where the job asks for it, upload speed (a capture-sized test upload, timed) and the clock.
// Each step green or red with a fix-it hint; the result goes to POST …/system-check/.
// The practice capture shows what a reviewer sees of the candidate, stored nowhere.
//
//   const check = mountSystemCheck(root, config, labels);  await check.run();

import { clockOffsetMs, observe } from "../js/clock.js";
import { postJSON } from "../js/http.js";
import { captureFrame, dataUrlToBlob } from "./client.js";

const FRAME_WAIT_MS = 5000;
const UPLOAD_TIMEOUT_MS = 30_000;
const CLOCK_TOLERANCE_MS = 2 * 60 * 1000;
const HEADROOM = 2; // the link must carry twice what the captures need
const TYPICAL_CAMERA_BYTES = 40_000;
const TYPICAL_SCREEN_BYTES = 250_000;

const round = (x) => Math.round(x * 1000) / 1000;

/** "{name}" placeholders filled from values. */
export function fill(text, values = {}) {
  return String(text).replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function waitForFrame(video, ms) {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () => {
      if (video.videoWidth > 0 && video.readyState >= 2) resolve(true);
      else if (Date.now() - started > ms) resolve(false);
      else setTimeout(tick, 100);
    };
    tick();
  });
}

/** A noisy picture the size of a screen capture (the upload test when no screen is shared). */
function syntheticCapture(width = 1280, height = 720) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const pixels = ctx.createImageData(width, height);
  for (let i = 0; i < pixels.data.length; i += 4) {
    const v = (Math.random() * 255) | 0;
    pixels.data[i] = v;
    pixels.data[i + 1] = (v * 7) & 255;
    pixels.data[i + 2] = (v * 13) & 255;
    pixels.data[i + 3] = 255;
  }
  ctx.putImageData(pixels, 0, 0);
  return canvas.toDataURL("image/jpeg", 0.8);
}

export function mountSystemCheck(root, config, labels) {
  const $ = (sel) => root.querySelector(sel);
  const api = `/api/applications/${config.applicationId}`;
  const video = $("[data-check-video]");
  const screenVideo = document.createElement("video");
  screenVideo.muted = true;
  screenVideo.playsInline = true;
  const runButton = $("[data-run]");
  const summary = $("[data-summary]");
  let cameraStream = null;
  let screenStream = null;
  let cameraBytes = TYPICAL_CAMERA_BYTES;
  let results = [];
  let serverHeard = false; // a dry run answered with the server's time (the clock step)
  const steps = [...root.querySelectorAll("[data-step]")].map((el) => el.dataset.step);

  function setStep(name, state, detail, measures = {}) {
    const el = $(`[data-step="${name}"]`);
    if (!el) return;
    el.dataset.state = state;
    el.querySelector("[data-state-label]").textContent = labels.states[state] || state;
    if (detail !== undefined) el.querySelector("[data-detail]").textContent = detail;
    if (state === "ok" || state === "fail") {
      results = results.filter((step) => step.name !== name);
      results.push({ name, passed: state === "ok", detail: String(detail || "").slice(0, 300), ...measures });
    }
  }

  /** A dry-run upload: analysed by the server, stored nowhere. Also reads the server's clock. */
  async function dryRun(imageType, blob, { signal } = {}) {
    const form = new FormData();
    form.append("image_type", imageType);
    form.append("image", blob, `${imageType}.jpg`);
    form.append("dry_run", "true");
    const sentAt = Date.now();
    const answer = await postJSON(`${api}/monitoring-images/`, form, { signal });
    if (answer && answer.server_time) {
      observe(answer.server_time, sentAt, Date.now());
      serverHeard = true;
    }
    return answer;
  }

  // --- The steps --------------------------------------------------------------------------
  function checkBrowser() {
    const media = navigator.mediaDevices || {};
    const missing = [];
    if (!media.getUserMedia) missing.push(labels.feature_camera);
    if (config.screenMonitoring && !media.getDisplayMedia) missing.push(labels.feature_screen);
    if (typeof WebSocket === "undefined") missing.push(labels.feature_socket);
    if (!missing.length) return setStep("browser", "ok", labels.browser_ok);
    // A phone or tablet has a camera but cannot share its screen: say "use a computer".
    if (missing.length === 1 && missing[0] === labels.feature_screen) {
      return setStep("browser", "fail", labels.browser_no_screen);
    }
    setStep("browser", "fail", fill(labels.browser_missing, { missing: missing.join(", ") }));
  }

  async function checkScreen() {
    if (!steps.includes("screen")) return;
    const media = navigator.mediaDevices || {};
    if (!media.getDisplayMedia) return setStep("screen", "fail", labels.browser_no_screen);
    stopScreen();
    try {
      screenStream = await media.getDisplayMedia({
        video: { displaySurface: "monitor" },
        audio: false,
        monitorTypeSurfaces: "include",
        selfBrowserSurface: "exclude",
      });
    } catch (err) {
      const text = err && err.name === "NotAllowedError" ? labels.screen_denied : fill(labels.screen_failed, { message: err.message });
      return setStep("screen", "fail", text);
    }
    const surface = screenStream.getVideoTracks()[0].getSettings().displaySurface;
    if (surface && surface !== "monitor") {
      stopScreen();
      const what = surface === "browser" ? labels.surface_browser : labels.surface_window;
      return setStep("screen", "fail", fill(labels.screen_not_entire, { surface: what }));
    }
    screenVideo.srcObject = screenStream;
    await screenVideo.play().catch(() => {});
    setStep("screen", "ok", labels.screen_ok);
  }

  function cameraError(err) {
    switch (err && err.name) {
      case "NotAllowedError":
      case "SecurityError":
        return labels.camera_denied;
      case "NotReadableError":
      case "AbortError":
        return labels.camera_busy;
      case "NotFoundError":
      case "OverconstrainedError":
        return labels.camera_missing;
      default:
        return (err && err.message) || labels.camera_no_frames;
    }
  }

  async function checkCamera() {
    stopCamera();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStep("camera", "fail", labels.camera_missing);
      return false;
    }
    try {
      cameraStream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (err) {
      setStep("camera", "fail", cameraError(err));
      return false;
    }
    video.srcObject = cameraStream;
    video.play().catch(() => {});
    if (!(await waitForFrame(video, FRAME_WAIT_MS))) {
      setStep("camera", "fail", labels.camera_no_frames);
      return false;
    }
    const label = cameraStream.getVideoTracks()[0].label || "";
    const lower = label.toLowerCase();
    const size = { width: video.videoWidth, height: video.videoHeight };
    if ((config.virtualCameraLabels || []).some((word) => lower.includes(word.toLowerCase()))) {
      setStep("camera", "fail", fill(labels.camera_virtual, { label }), size);
      return true; // frames arrive: the face step may still run
    }
    setStep("camera", "ok", fill(labels.camera_ok, { label: label || "camera", ...size }), size);
    return true;
  }

  async function checkFace(cameraWorks) {
    if (!cameraWorks) return setStep("face", "fail", labels.face_skipped);
    const blob = dataUrlToBlob(captureFrame(video));
    cameraBytes = blob.size;
    let answer;
    try {
      answer = await dryRun("camera", blob);
    } catch (err) {
      return setStep("face", "fail", fill(labels.face_error, { message: err.message }));
    }
    const { face_count: count, flags = [] } = answer.analysis;
    if (flags.includes("camera_covered")) return setStep("face", "fail", labels.face_covered, { face_count: count });
    if (count > 1) return setStep("face", "fail", labels.face_several, { face_count: count });
    if (count < 1) return setStep("face", "fail", labels.face_none, { face_count: count });
    setStep("face", "ok", labels.face_ok, { face_count: count });
  }

  async function checkUpload() {
    const sharing = screenStream && screenVideo.videoWidth > 0;
    const blob = dataUrlToBlob(sharing ? captureFrame(screenVideo, { maxWidth: 1920 }) : syntheticCapture());
    const perSecond =
      (config.cameraMonitoring ? cameraBytes / config.cameraInterval : 0) +
      (config.screenMonitoring ? Math.max(blob.size, TYPICAL_SCREEN_BYTES / 4) / config.screenInterval : 0);
    const needed = Math.max(perSecond * 8 / 1e6, 0.01);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), UPLOAD_TIMEOUT_MS);
    const started = performance.now();
    try {
      await dryRun("screen", blob, { signal: controller.signal });
    } catch (err) {
      if (err && err.name === "AbortError") {
        const slow = { mbps: "< 0.01", needed: needed.toFixed(2) };
        return setStep("upload", "fail", fill(labels.upload_slow, slow), { needed_mbps: round(needed) });
      }
      return setStep("upload", "fail", fill(labels.upload_failed, { message: err.message }));
    } finally {
      clearTimeout(timer);
    }
    const seconds = Math.max((performance.now() - started) / 1000, 0.001);
    const mbps = (blob.size * 8) / seconds / 1e6;
    const measures = { mbps: round(mbps), needed_mbps: round(needed) };
    const values = { mbps: mbps.toFixed(mbps < 10 ? 2 : 0), needed: needed.toFixed(2) };
    if (mbps < needed * HEADROOM) return setStep("upload", "fail", fill(labels.upload_slow, values), measures);
    setStep("upload", "ok", fill(labels.upload_ok, values), measures);
  }

  function checkClock() {
    if (!serverHeard) return setStep("clock", "fail", labels.clock_unknown);
    const ahead = -clockOffsetMs(); // the computer's clock minus the server's
    const measures = { offset_ms: Math.round(ahead) };
    if (Math.abs(ahead) > CLOCK_TOLERANCE_MS) {
      const minutes = Math.round(Math.abs(ahead) / 60000);
      const direction = ahead > 0 ? labels.clock_ahead : labels.clock_behind;
      return setStep("clock", "fail", fill(labels.clock_off, { minutes, direction }), measures);
    }
    setStep("clock", "ok", fill(labels.clock_ok, { seconds: Math.max(1, Math.round(Math.abs(ahead) / 1000)) }), measures);
  }

  // --- Running it -------------------------------------------------------------------------
  async function run() {
    runButton.disabled = true;
    results = [];
    steps.forEach((name) => setStep(name, "pending"));
    summary.textContent = labels.running;
    summary.className = "check-summary";
    checkBrowser();
    // Screen sharing first: the browser asks only right after the click.
    if (steps.includes("screen")) setStep("screen", "running");
    await checkScreen();
    setStep("camera", "running");
    const cameraWorks = await checkCamera();
    setStep("face", "running");
    await checkFace(cameraWorks);
    setStep("upload", "running");
    await checkUpload();
    checkClock();
    const failed = results.filter((step) => !step.passed).length;
    let text = failed ? fill(labels.summary_fail, { failed, total: results.length }) : labels.summary_ok;
    try {
      await postJSON(`${api}/system-check/`, { steps: results });
    } catch (err) {
      text = `${text} ${fill(labels.summary_unsaved, { message: err.message })}`;
    }
    summary.textContent = text; // announced once (role=status), when the whole check is done
    summary.className = `check-summary alert alert-${failed ? "error" : "ok"}`;
    runButton.disabled = false;
    return results;
  }

  // --- Practice capture: what the reviewer sees, stored nowhere ---------------------------
  const practiceStatus = $("[data-practice-status]");
  async function practice() {
    if (!cameraStream || video.videoWidth === 0) {
      practiceStatus.textContent = labels.practice_no_camera;
      return;
    }
    practiceStatus.textContent = labels.practice_taking;
    const shot = captureFrame(video);
    $("[data-practice-camera]").src = shot;
    $("[data-practice-camera-figure]").hidden = false;
    if (screenStream && screenVideo.videoWidth > 0) {
      $("[data-practice-screen]").src = captureFrame(screenVideo, { maxWidth: 1920 });
      $("[data-practice-screen-figure]").hidden = false;
    }
    let analysis = "";
    try {
      const answer = await dryRun("camera", dataUrlToBlob(shot));
      analysis = fill(labels.practice_faces, { count: answer.analysis.face_count });
    } catch (err) {
      analysis = err.message;
    }
    practiceStatus.textContent = fill(labels.practice_done, { analysis });
  }

  function stopCamera() {
    if (cameraStream) cameraStream.getTracks().forEach((track) => track.stop());
    cameraStream = null;
    video.srcObject = null;
  }
  function stopScreen() {
    if (screenStream) screenStream.getTracks().forEach((track) => track.stop());
    screenStream = null;
    screenVideo.srcObject = null;
  }

  runButton.addEventListener("click", () => run());
  $("[data-practice]").addEventListener("click", () => practice());
  window.addEventListener("pagehide", () => {
    stopCamera();
    stopScreen();
  });
  return { run, practice, get results() { return results; } };
}
