// Focus and visibility events from the interview page: what the recruiter's timeline shows.
// Each event keeps the time it happened; a failed report is retried a few times.

import { backoffDelay, sleep } from "../js/backoff.js";
import { postJSON } from "../js/http.js";

const ATTEMPTS = 5;

export class EventReporter {
  constructor(applicationId) {
    this.url = `/api/applications/${applicationId}/events/`;
    this.enabled = false;
  }

  async report(type, detail = "") {
    if (!this.enabled) return;
    const body = { type, occurred_at: new Date().toISOString(), detail };
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      try {
        await postJSON(this.url, body);
        return;
      } catch (err) {
        if (!err.retryable) return;
        await sleep(backoffDelay(attempt));
      }
    }
  }

  /** Listen to the page: tab hidden/visible, window blur/focus, leaving full screen. */
  watch() {
    document.addEventListener("visibilitychange", () =>
      this.report(document.visibilityState === "hidden" ? "tab_hidden" : "tab_visible"),
    );
    window.addEventListener("blur", () => this.report("window_blur"));
    window.addEventListener("focus", () => this.report("window_focus"));
    document.addEventListener("fullscreenchange", () => {
      if (!document.fullscreenElement) this.report("fullscreen_exit");
    });
  }
}
