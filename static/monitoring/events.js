// Focus and visibility events from the interview page: what the recruiter's timeline shows.
// Each event keeps the time it happened; a failed report is retried a few times.
//
// The page also says what it sees when reporting starts and after every reconnect (network
// back, presence socket reopened): a tab closed while hidden and opened again closes its own
// "tab hidden" episode instead of leaving it open while the candidate is plainly there.

import { backoffDelay, sleep } from "../js/backoff.js";
import { serverNow } from "../js/clock.js";
import { postJSON } from "../js/http.js";

const ATTEMPTS = 5;

export class EventReporter {
  constructor(applicationId) {
    this.url = `/api/applications/${applicationId}/events/`;
    this._enabled = false;
  }

  get enabled() {
    return this._enabled;
  }

  /** Turning reporting on reports the current state at once. */
  set enabled(on) {
    const was = this._enabled;
    this._enabled = on;
    if (on && !was) this.reportState("page opened");
  }

  /** `keepalive`: the page is going away — one attempt the browser finishes after it. */
  async report(type, detail = "", { keepalive = false } = {}) {
    if (!this._enabled) return;
    const body = { type, occurred_at: serverNow().toISOString(), detail };
    for (let attempt = 1; attempt <= (keepalive ? 1 : ATTEMPTS); attempt += 1) {
      try {
        await postJSON(this.url, body, { keepalive });
        return;
      } catch (err) {
        if (!err.retryable) return;
        await sleep(backoffDelay(attempt));
      }
    }
  }

  /** What the page sees now: visible or hidden, focused or not, a second display. */
  reportState(detail) {
    this.report(document.visibilityState === "hidden" ? "tab_hidden" : "tab_visible", detail);
    this.report(document.hasFocus() ? "window_focus" : "window_blur", detail);
    if (window.screen && window.screen.isExtended) this.report("extended_display", `a second display is connected (${detail})`);
  }

  /** Listen to the page: tab hidden/visible, window blur/focus, leaving full screen. */
  watch() {
    document.addEventListener("visibilitychange", () =>
      this.report(document.visibilityState === "hidden" ? "tab_hidden" : "tab_visible"),
    );
    window.addEventListener("blur", () => this.report("window_blur"));
    window.addEventListener("focus", () => this.report("window_focus"));
    window.addEventListener("online", () => this.reportState("back online"));
    document.addEventListener("fullscreenchange", () => {
      if (!document.fullscreenElement) this.report("fullscreen_exit");
    });
    // Where the browser tells (screen.isExtended, Chromium): a display added or removed.
    if (window.screen && "isExtended" in window.screen && window.screen.addEventListener) {
      let extended = window.screen.isExtended;
      window.screen.addEventListener("change", () => {
        if (window.screen.isExtended === extended) return;
        extended = window.screen.isExtended;
        this.report("extended_display", extended ? "a second display was connected" : "back to one display");
      });
    }
  }
}
