// The review timeline's state: captures (paged forward), page and camera events, the
// integrity summary, and thumbnails signed in batches. No DOM here; the view listens.
//
//   const data = new TimelineData({ applicationId, pageSize });
//   data.on("change", render);        // captures, events, incidents or the filter changed
//   data.signer.on("signed", (e) => show(e.detail.key, e.detail.url));

import { Emitter } from "../js/emitter.js";
import { getJSON, requestJSON } from "../js/http.js";
import { MonitoringImages } from "./client.js";

// A frame's flags: the analysis's, and "identity_mismatch" when its faces were compared with
// the selfie and none matched (marked in the strip and the viewer like any flag).
export const flagsOf = (item) => {
  const flags = (item.analysis && item.analysis.flags) || [];
  return item.identity && item.identity.matches === false ? [...flags, "identity_mismatch"] : flags;
};
export const byTime = (a, b) => a.timestamp.localeCompare(b.timestamp) || a.id - b.id;

const EVENTS_PAGE = 1000; // the most the events listings answer at once

/**
 * Every item of a listing that pages forward in time (`?since=&limit=`, oldest first). A full
 * page may end inside a run of items sharing one instant, and `since` is strict: the items of
 * the page's last instant are read again with the next page (unless the whole page is one).
 */
export async function getAllSince(url, limit = EVENTS_PAGE) {
  const items = [];
  let since = null;
  for (;;) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (since) query.set("since", since);
    const page = await getJSON(`${url}?${query}`);
    if (page.length < limit) return items.concat(page);
    const last = page[page.length - 1].occurred_at;
    const settled = page.filter((item) => item.occurred_at !== last);
    const kept = settled.length ? settled : page;
    items.push(...kept);
    since = kept[kept.length - 1].occurred_at;
  }
}

/** Signs storage keys in batches: whatever scrolled into view within 60 ms, one request. */
export class ThumbnailSigner extends Emitter {
  constructor(images, { delayMs = 60 } = {}) {
    super();
    this.images = images;
    this.delayMs = delayMs;
    this.urls = new Map(); // key -> signed url
    this.pending = new Set();
    this.batches = []; // sizes of the batches sent, for tests and curiosity
    this._timer = null;
  }

  want(key) {
    if (this.urls.has(key)) {
      this.emit("signed", { key, url: this.urls.get(key) });
      return;
    }
    this.pending.add(key);
    if (!this._timer) this._timer = setTimeout(() => this.flush(), this.delayMs);
  }

  async flush() {
    this._timer = null;
    const keys = [...this.pending];
    this.pending.clear();
    if (!keys.length) return;
    this.batches.push(keys.length);
    try {
      this._store(await this.images.getImageUrls(keys));
    } catch (err) {
      this.emit("error", { message: `Could not load thumbnails: ${err.message}` });
    }
  }

  /** The signed URL of one key, now (the viewer): from the cache or one request. */
  async urlFor(key) {
    if (!this.urls.has(key)) this._store(await this.images.getImageUrls([key]));
    return this.urls.get(key) || "";
  }

  _store(got) {
    for (const [key, url] of Object.entries(got)) {
      this.urls.set(key, url);
      this.emit("signed", { key, url });
    }
  }
}

export class TimelineData extends Emitter {
  constructor({ applicationId, pageSize }) {
    super();
    this.api = `/api/applications/${applicationId}`;
    this.pageSize = pageSize;
    this.images = new MonitoringImages({ applicationId });
    this.signer = new ThumbnailSigner(this.images);
    this.byId = new Map();
    this.deleted = new Map(); // id -> the slot of a capture a reviewer deleted
    this.events = []; // page and camera events: what "events" counts on every page
    this.consent = []; // the candidate's answers to the notice, counted apart
    this.incidents = [];
    this.notes = []; // reviewers' notes pinned to moments (and captures) of the record
    this.integrity = null;
    this.since = null;
    this.hasMore = false;
    this.loading = false;
    this.flaggedOnly = false;
    this.ready = false;
  }

  /** For tests: the sizes of the signing batches sent so far. */
  get signBatches() {
    return this.signer.batches;
  }

  /** Every loaded capture in time order. */
  items() {
    return [...this.byId.values()].sort(byTime);
  }

  /** The captures shown: all, or only flagged ones. */
  shown() {
    const all = this.items();
    return this.flaggedOnly ? all.filter((i) => flagsOf(i).length) : all;
  }

  setFlaggedOnly(on) {
    this.flaggedOnly = on;
    this.notify();
  }

  async loadAll() {
    await Promise.all([this.loadEvents(), this.loadPage(), this.loadIntegrity(), this.loadNotes()]);
    this.ready = true; // everything read once: counts from here on are whole
    this.notify();
  }

  async loadPage() {
    this.loading = true;
    this.notify("loading");
    try {
      const data = await this.images.getImages({ since: this.since, limit: this.pageSize });
      const lastTimes = [];
      for (const slot of data.deleted || []) this.deleted.set(slot.id, slot);
      for (const kind of ["camera", "screen"]) {
        for (const item of data[kind]) this.byId.set(item.id, { ...item, image_type: kind });
        if (data[kind].length === this.pageSize) lastTimes.push(data[kind][data[kind].length - 1].timestamp);
      }
      this.hasMore = lastTimes.length > 0;
      this.since = this.hasMore ? lastTimes.sort()[0] : this.since;
    } catch (err) {
      this.emit("error", { message: `Could not load captures: ${err.message}` });
    } finally {
      this.loading = false;
      this.notify("loaded");
    }
  }

  async loadIntegrity() {
    try {
      this.integrity = await getJSON(`${this.api}/integrity/`);
      this.incidents = this.integrity.incidents;
      this.notify("integrity");
    } catch (err) {
      this.emit("error", { message: `Could not load the integrity summary: ${err.message}` });
    }
  }

  async loadNotes() {
    try {
      this.notes = await getJSON(`${this.api}/notes/`);
    } catch (err) {
      this.emit("error", { message: `Could not load the notes: ${err.message}` });
    }
  }

  /** Pin a note at a moment (`at`, ISO) or on a capture (`imageId`). */
  async addNote({ text, at = null, imageId = null }) {
    const body = { text };
    if (at) body.at = at;
    if (imageId) body.image_id = imageId;
    const note = await requestJSON(`${this.api}/notes/`, { method: "POST", body });
    this.notes = [...this.notes, note].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
    this.notify();
    return note;
  }

  /** A verdict on an incident: the integrity summary (reviewed score) is read again, and
   * whoever shows the decision hears of it (a changed verdict reopens the decision). */
  async setVerdict(incidentId, { verdict, note = "" }) {
    const row = await requestJSON(`${this.api}/incidents/${incidentId}/verdict/`, {
      method: "POST",
      body: { verdict, note },
    });
    await this.loadIntegrity();
    this.emit("verdict", { incidentId, verdict });
    return row;
  }

  async loadEvents() {
    try {
      const [page, camera, consent] = await Promise.all([
        getAllSince(`${this.api}/events/`),
        getAllSince(`${this.api}/camera-events/`),
        getJSON(`${this.api}/consent/`),
      ]);
      this.events = [
        ...page.map((e) => ({ ...e, at: e.occurred_at })),
        ...camera.map((e) => ({ ...e, type: e.kind, at: e.occurred_at })),
      ].sort((a, b) => a.at.localeCompare(b.at));
      // The candidate's answers to the notice: given, withdrawn, declined.
      this.consent = consent.history.map((m) => ({ type: `consent_${m.decision}`, at: m.at, detail: `notice ${m.notice_version}` }));
    } catch (err) {
      this.emit("error", { message: `Could not load events: ${err.message}` });
    }
  }

  /**
   * What an open timeline heard changed (monitoring/live.py): read it again through the API.
   * `what` is a set of "captures", "events", "integrity"; `at` the earliest capture time heard
   * of (or null: from the newest loaded capture). The integrity summary is read again on any
   * change (its evidence counts move with every capture).
   */
  async refresh(what, at = null) {
    const reads = [this.loadIntegrity()];
    if (what.has("events")) reads.push(this.loadEvents());
    if (what.has("notes")) reads.push(this.loadNotes());
    if (what.has("decision")) this.emit("decision-changed", {});
    if (what.has("captures")) reads.push(this.refreshCaptures(at));
    await Promise.all(reads);
    this.notify();
  }

  /** New, re-analysed and deleted captures from `at` on. While later pages are unread the
   * "Load later captures" button brings them in order instead. */
  async refreshCaptures(at) {
    if (this.hasMore) return;
    const items = this.items();
    const newest = items.length ? items[items.length - 1].timestamp : null;
    const fromMs = Math.min(...[at, newest].filter(Boolean).map((t) => Date.parse(t) - 1));
    const from = Number.isFinite(fromMs) ? new Date(fromMs).toISOString() : null;
    let data;
    try {
      data = await this.images.getImages({ since: from, limit: this.pageSize });
    } catch (err) {
      this.emit("error", { message: `Could not load new captures: ${err.message}` });
      return;
    }
    const seen = new Set();
    const changed = [];
    for (const kind of ["camera", "screen"]) {
      for (const item of data[kind]) {
        const before = this.byId.get(item.id);
        if (before && JSON.stringify(flagsOf(before)) !== JSON.stringify(flagsOf(item))) changed.push(item.id);
        this.byId.set(item.id, { ...item, image_type: kind });
        seen.add(item.id);
      }
      if (data[kind].length === this.pageSize) {
        this.hasMore = true; // more arrived than a page: the button reads on from here
        this.since = data[kind][data[kind].length - 1].timestamp;
      }
    }
    for (const slot of data.deleted || []) {
      this.deleted.set(slot.id, slot);
      // The slot this page marked itself when its reviewer deleted the capture.
      for (const [key, local] of this.deleted) {
        if (String(key).startsWith("local-") && local.timestamp === slot.timestamp && local.image_type === slot.image_type) this.deleted.delete(key);
      }
    }
    if (!this.hasMore) {
      // Everything after `from` is in the answer: a loaded capture missing from it is deleted.
      for (const [id, item] of this.byId) {
        if ((from === null || Date.parse(item.timestamp) > fromMs) && !seen.has(id)) {
          this.byId.delete(id);
          changed.push(id);
        }
      }
    }
    if (changed.length) this.emit("captures-changed", { ids: changed });
  }

  async remove(id, { by } = {}) {
    const item = this.byId.get(id);
    await this.images.deleteImage(id);
    this.byId.delete(id);
    // The slot stays in the record, as the server keeps it ("deleted by …").
    this.deleted.set(`local-${id}`, {
      id: `local-${id}`,
      image_type: item.image_type,
      timestamp: item.timestamp,
      deleted_by: by || null,
      deleted_at: new Date().toISOString(),
    });
    this.notify("removed", { id });
  }
}
