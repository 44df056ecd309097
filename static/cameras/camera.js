// The candidate's camera: preview, on/off, heartbeat, and an honest account of failures.
//
//   const camera = new Camera({ statusUrl: "/api/camera/status", applicationId: 7 });
//   camera.addEventListener("change", () => ...);   // camera.isOn, camera.stream
//   await camera.start();  await camera.stop();
//
// The server trusts only the session: the body carries is_active (and the application),
// never a user id. On leave, a final `is_active: false` goes out with fetch keepalive.

import { backoffDelay } from "../js/backoff.js";
import { observe } from "../js/clock.js";
import { Emitter } from "../js/emitter.js";
import { ApiError, postJSON, requestJSON } from "../js/http.js";
import { t } from "../js/i18n.js";
import { formatTime } from "../js/time.js";
import { wsUrl } from "../js/ws.js";

export const HEARTBEAT_MS = 10_000;
export const PRESENCE_PATH = "/ws/camera/presence/";

export function describeCameraError(err) {
  switch (err && err.name) {
    case "NotAllowedError":
    case "SecurityError":
      return t("Camera permission was denied. Allow camera access in your browser's address bar, then try again.");
    case "NotReadableError":
    case "AbortError":
      return t("Your camera is busy: another application or tab is using it. Close it and try again.");
    case "NotFoundError":
    case "OverconstrainedError":
      return t("No camera was found. Connect a camera and try again.");
    default:
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return t("This browser cannot use a camera here. Use a recent Chrome, Edge or Firefox over HTTPS.");
      }
      return (err && err.message) || t("The camera could not be started.");
  }
}

export class Camera extends Emitter {
  constructor({ statusUrl, applicationId = null, heartbeatMs = HEARTBEAT_MS, presenceUrl = wsUrl(PRESENCE_PATH) }) {
    super();
    this.presenceUrl = presenceUrl;
    this.socket = null;
    this.heartbeatsOverSocket = 0;
    this.statusUrl = statusUrl;
    this.applicationId = applicationId;
    this.heartbeatMs = heartbeatMs;
    this.stream = null;
    this.timer = null;
    this.starting = false;
    this.lastHeartbeat = null;
    this.heartbeatError = null;
    this.socketAttempt = 0;
  }

  get isOn() {
    return this.stream !== null;
  }

  _body(isActive) {
    const body = { is_active: isActive };
    if (this.applicationId) body.application_id = this.applicationId;
    // The camera's name goes with camera-on: the server decides whether it is a virtual one.
    if (isActive && this.deviceLabel) body.device_label = this.deviceLabel.slice(0, 200);
    return body;
  }

  /** The active camera's MediaDeviceInfo.label (the track's label where none is listed). */
  async _deviceLabel(stream) {
    const track = stream.getVideoTracks()[0];
    if (!track) return "";
    try {
      const id = track.getSettings ? track.getSettings().deviceId : undefined;
      const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
      const device = cameras.find((d) => d.deviceId === id) || (cameras.length === 1 ? cameras[0] : null);
      if (device && device.label) return device.label;
    } catch {
      // Not listed: the track's own label is the same name.
    }
    return track.label || "";
  }

  async start() {
    if (this.isOn || this.starting) return;
    this.starting = true;
    this.notify("change");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
      this.stream = stream;
      this.deviceLabel = await this._deviceLabel(stream);
      stream.getVideoTracks().forEach((track) =>
        track.addEventListener("ended", () => this.stop({ reason: "ended" })),
      );
      await this._report(true);
      this._openSocket();
      this.timer = setInterval(() => this._beat(), this.heartbeatMs);
      this.notify("started");
    } catch (err) {
      if (this.stream) this._releaseTracks();
      this.notify("error", { message: err instanceof ApiError ? err.message : describeCameraError(err) });
      throw err;
    } finally {
      this.starting = false;
      this.notify("change");
    }
  }

  async stop({ keepalive = false, reason = "user" } = {}) {
    const wasOn = this.isOn;
    if (wasOn) this.emit("stopping", { reason }); // while the presence socket is still open
    this._releaseTracks();
    if (!wasOn) return;
    if (keepalive) {
      this.sendFinalOff();
    } else {
      try {
        await this._report(false);
      } catch {
        // The board drops the stream after the timeout anyway.
      }
    }
    this.notify("stopped", { reason });
  }

  /** The last word on page leave: fetch keepalive carries the CSRF header (sendBeacon cannot). */
  sendFinalOff() {
    requestJSON(this.statusUrl, { method: "POST", body: this._body(false), keepalive: true })
      .catch(() => {}); // nothing more can be done while the page unloads
  }

  /** Send a live-video signalling message on the presence socket; false when it is closed. */
  sendSignal(msg) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  /** Heartbeats go over the presence socket when it is open, else over HTTP. */
  _beat() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      const msg = { type: "heartbeat" };
      if (this.applicationId) msg.application_id = this.applicationId;
      this.beatSentAt = Date.now();
      this.socket.send(JSON.stringify(msg));
    } else {
      this._report(true);
    }
  }

  _openSocket() {
    if (!this.presenceUrl || typeof WebSocket === "undefined") return;
    const socket = new WebSocket(this.presenceUrl);
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socketOpened) this.notify("reconnected");
      this.socketOpened = true;
      this.socketAttempt = 0;
      this._beat(); // at once: the server learns this socket is where to reach the page
    });
    socket.addEventListener("message", (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "ack") {
        if (msg.server_time) observe(msg.server_time, this.beatSentAt, Date.now());
        this.heartbeatsOverSocket += 1;
        this.lastHeartbeat = new Date();
        if (this.heartbeatError) {
          this.heartbeatError = null;
          this.notify("heartbeat-ok");
        } else {
          this.notify("change");
        }
      } else if (msg.type === "check") {
        this.emit("check", msg); // what the checks of the newest frame say (the panel shows it)
      } else if (msg.type === "stale") {
        this._report(true); // the stream ended meanwhile: the status API starts it again
      } else if (typeof msg.type === "string" && msg.type.startsWith("watch.")) {
        this.emit("signal", msg); // live video (live.js)
      }
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.isOn) return;
      this.socketAttempt += 1;
      setTimeout(() => this.isOn && !this.socket && this._openSocket(), backoffDelay(this.socketAttempt));
    });
  }

  _releaseTracks() {
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close();
    }
    clearInterval(this.timer);
    this.timer = null;
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
  }

  async _report(isActive) {
    try {
      const sentAt = Date.now();
      const answer = await postJSON(this.statusUrl, this._body(isActive));
      if (answer && answer.last_updated) observe(answer.last_updated, sentAt, Date.now());
      if (isActive) this.lastHeartbeat = new Date();
      if (this.heartbeatError) {
        this.heartbeatError = null;
        this.notify("heartbeat-ok");
      }
    } catch (err) {
      if (isActive && this.timer && err.status === 409) {
        // The interview may not be recorded any more (finished, withdrawn, consent
        // withdrawn): the camera stops here too, and the page says why.
        this._releaseTracks();
        this.notify("error", { message: err.message });
        this.notify("stopped", { reason: "refused" });
        return;
      }
      this.heartbeatError = err;
      this.notify("heartbeat-error", { message: err.message });
      if (!this.timer) throw err; // the first report: the caller decides
    }
  }
}

/** Wire a camera card (templates/cameras/_camera_card.html) to a Camera. */
export function mountCameraCard(root, camera, { toast } = {}) {
  const video = root.querySelector("video");
  const button = root.querySelector("[data-camera-toggle]");
  const badge = root.querySelector("[data-camera-badge]");
  const message = root.querySelector("[data-camera-message]");
  const placeholder = root.querySelector("[data-camera-placeholder]");
  const heartbeat = root.querySelector("[data-camera-heartbeat]");

  function render() {
    const on = camera.isOn;
    root.classList.toggle("is-live", on);
    button.disabled = camera.starting;
    button.textContent = camera.starting ? t("Starting camera…") : on ? t("Turn camera off") : t("Turn camera on");
    button.classList.toggle("btn-danger", on);
    button.classList.toggle("btn-primary", !on);
    button.setAttribute("aria-pressed", String(on));
    badge.hidden = !on;
    placeholder.hidden = on;
    video.hidden = !on;
    if (on && video.srcObject !== camera.stream) video.srcObject = camera.stream;
    if (!on) video.srcObject = null;
    if (heartbeat) {
      heartbeat.textContent = on && camera.lastHeartbeat
        ? t("Heartbeat sent {time}", { time: formatTime(camera.lastHeartbeat, { seconds: true }) })
        : "";
    }
  }

  function showMessage(text, kind = "error") {
    message.textContent = text || "";
    message.className = text ? `alert alert-${kind}` : "";
    message.hidden = !text;
  }

  camera.addEventListener("change", render);
  camera.addEventListener("started", () => {
    showMessage("");
    toast && toast(t("Camera on — you are live."), "ok");
  });
  camera.addEventListener("stopped", (e) => {
    toast && toast(e.detail.reason === "ended" ? t("Your camera stopped.") : t("Camera off."), "warn");
  });
  camera.addEventListener("error", (e) => showMessage(e.detail.message));
  camera.addEventListener("heartbeat-error", (e) =>
    showMessage(t("Connection problem: {message} Retrying with the next heartbeat.", { message: e.detail.message }), "warn"),
  );
  camera.addEventListener("heartbeat-ok", () => showMessage(""));

  button.addEventListener("click", () => {
    if (camera.isOn) camera.stop();
    else camera.start().catch(() => {});
  });
  window.addEventListener("pagehide", () => camera.stop({ keepalive: true, reason: "leave" }));
  render();
  return { render, showMessage };
}
