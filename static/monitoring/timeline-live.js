// An open timeline of an interview in progress hears what changed in its record over
// /ws/monitoring/timeline/<id>/ (monitoring/consumers.py) and reads it again through the API.
// Hints arriving close together are read once; after a reconnect everything is read again
// (what was missed meanwhile).

import { backoffDelay } from "../js/backoff.js";
import { Emitter } from "../js/emitter.js";
import { wsUrl } from "../js/ws.js";

const CLOSE_NOT_SIGNED_IN = 4401;
const CLOSE_NOT_ALLOWED = 4403;

export class TimelineLive extends Emitter {
  constructor(data, { applicationId, debounceMs = 300, minDelayMs = 1000, maxDelayMs = 30_000 } = {}) {
    super();
    this.data = data;
    this.url = wsUrl(`/ws/monitoring/timeline/${applicationId}/`);
    this.debounceMs = debounceMs;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.state = "connecting"; // connecting | live | reconnecting | off
    this.attempt = 0;
    this.connectedBefore = false;
    this.pending = new Set();
    this.pendingAt = null;
    this.timer = null;
    this.received = 0; // hints heard, for tests and curiosity
  }

  connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("message", (e) => this._onMessage(JSON.parse(e.data)));
    socket.addEventListener("close", (e) => {
      if (this.socket === socket) this._onClose(e.code);
    });
  }

  close() {
    this.state = "off";
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  _set(state) {
    this.state = state;
    this.emit("state", { state });
  }

  _onMessage(msg) {
    if (msg.type === "ready") {
      this.attempt = 0;
      if (this.connectedBefore) this._hint(["captures", "events", "integrity", "notes", "decision"], null);
      this.connectedBefore = true;
      this._set("live");
    } else if (msg.type === "changed") {
      this.received += 1;
      this._hint([msg.what], msg.at);
    }
  }

  _hint(what, at) {
    what.forEach((w) => this.pending.add(w));
    if (at && (!this.pendingAt || at < this.pendingAt)) this.pendingAt = at;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._flush(), this.debounceMs);
  }

  async _flush() {
    const what = this.pending;
    const at = this.pendingAt;
    this.pending = new Set();
    this.pendingAt = null;
    await this.data.refresh(what, at);
    this.emit("refreshed", { what: [...what] });
  }

  _onClose(code) {
    this.socket = null;
    if (this.state === "off") return;
    if (code === CLOSE_NOT_SIGNED_IN || code === CLOSE_NOT_ALLOWED) {
      this._set("off");
      return;
    }
    this.attempt += 1;
    this._set("reconnecting");
    setTimeout(() => this.connect(), backoffDelay(this.attempt, { minMs: this.minDelayMs, maxMs: this.maxDelayMs }));
  }
}
