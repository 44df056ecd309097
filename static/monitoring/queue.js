// The capture queue: nothing is lost. Each capture keeps its client_id and captured_at from
// the moment it was taken and waits here, in memory only (never localStorage/IndexedDB —
// these are pictures of people), until the server acknowledges it. Network and server
// failures retry with exponential backoff and jitter for as long as the page is open; the
// server stores a client_id once, so a retry can never duplicate.

import { backoffDelay } from "../js/backoff.js";
import { serverNow } from "../js/clock.js";
import { Emitter } from "../js/emitter.js";
import { t } from "../js/i18n.js";
import { uuid4 } from "./client.js";

export class UploadQueue extends Emitter {
  constructor(images, { baseDelayMs = 1000, maxDelayMs = 30_000 } = {}) {
    super();
    this.images = images;
    this.baseDelayMs = baseDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.items = [];
    this.busy = false;
    this.attempt = 0;
    this.retryAt = null;
    this.lastSuccessAt = null;
    this.lastError = null;
    this.uploaded = 0;
    this.failed = 0;
    this._timer = null;
    this._waiters = [];
    window.addEventListener("beforeunload", (e) => {
      if (this.length > 0) {
        e.preventDefault();
        e.returnValue = t("Some captures are still uploading. Leave anyway?");
      }
    });
  }

  get length() {
    return this.items.length;
  }

  get retrying() {
    return this.retryAt !== null;
  }

  /** Add a capture taken now; returns its client_id. */
  add(imageType, imageData) {
    const item = { imageType, imageData, clientId: uuid4(), capturedAt: serverNow() };
    this.items.push(item);
    this.notify("change");
    this._kick();
    return item.clientId;
  }

  /** Resolves once every capture taken so far is acknowledged (or refused for good). */
  drain() {
    if (this.length === 0 && !this.busy) return Promise.resolve();
    this._retryNow();
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  /** Drop every capture not yet sent (consent withdrawn: they must never leave the page).
   *  An upload already on its way finishes or is refused by the server. Returns how many. */
  discard() {
    const dropped = this.items.splice(this.busy ? 1 : 0).length; // keep the one on its way
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = null;
      this.retryAt = null;
    }
    this.lastError = null;
    this.notify("change");
    if (!this.busy) this._waiters.splice(0).forEach((resolve) => resolve());
    return dropped;
  }

  _retryNow() {
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = null;
      this.retryAt = null;
      this._kick();
    }
  }

  _kick() {
    if (this.busy || this._timer || this.items.length === 0) return;
    this._next();
  }

  async _next() {
    const item = this.items[0];
    if (!item) {
      this._waiters.splice(0).forEach((resolve) => resolve());
      return;
    }
    this.busy = true;
    this.notify("change");
    try {
      await this.images.upload(item.imageType, item.imageData, {
        clientId: item.clientId,
        capturedAt: item.capturedAt,
      });
      this.items.shift();
      this.attempt = 0;
      this.uploaded += 1;
      this.lastSuccessAt = new Date();
      this.lastError = null;
      this.notify("uploaded", { item });
    } catch (err) {
      if (err.retryable) {
        this.attempt += 1;
        // The server may say how long to wait (429 rate_limited, 503): never retry sooner.
        const asked = err.retryAfter ? err.retryAfter * 1000 : 0;
        const delay = Math.max(asked, backoffDelay(this.attempt, { minMs: this.baseDelayMs, maxMs: this.maxDelayMs }));
        this.lastError = err;
        this.retryAt = Date.now() + delay;
        this.busy = false;
        this.notify("retrying", { error: err, delay });
        this._timer = setTimeout(() => {
          this._timer = null;
          this.retryAt = null;
          this._kick();
        }, delay);
        return;
      }
      // Refused for good (consent withdrawn, interview over, invalid image): say so, move on.
      this.items.shift();
      this.failed += 1;
      this.lastError = err;
      this.notify("failed", { item, error: err });
    }
    this.busy = false;
    if (this.items.length) this._next();
    else {
      this.notify("change");
      this._waiters.splice(0).forEach((resolve) => resolve());
    }
  }
}
