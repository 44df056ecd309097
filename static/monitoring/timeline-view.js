// The review timeline's rendering: minute rows (camera, screen, events), the integrity card
// and the full-screen viewer. It reads a TimelineData and never fetches by itself; every
// label comes from the server (`labels` in the page's json_script config).

import { formatDateTime, formatTime } from "../js/time.js";
import { duration, incidentText, zoneName } from "./incidents.js";
import { byTime, flagsOf } from "./timeline-data.js";

const EVENT_TONE = {
  off: "warn",
  timeout: "warn",
  tab_hidden: "warn",
  window_blur: "warn",
  screen_share_stopped: "warn",
  fullscreen_exit: "warn",
  extended_display: "warn",
  virtual_camera: "bad",
  on: "ok",
  consent_given: "ok",
  consent_withdrawn: "bad",
  consent_declined: "bad",
};

const minuteKey = (iso) => iso.slice(0, 16); // YYYY-MM-DDTHH:MM (UTC)

/** "added by Rita Reyes" for a capture the candidate did not send, else "". */
export function addedBy(item, candidateId) {
  if (!item.uploaded_by) return "added by a deleted account";
  return item.uploaded_by.id === candidateId ? "" : `added by ${item.uploaded_by.name}`;
}

/** Both times of a late capture: when it was taken and when the server got it. */
export /** A compared camera frame's face distance to the selfie (the viewer's title). */
function identityNote(item) {
  if (!item.identity || item.identity.distance === null || item.identity.distance === undefined) return "";
  return `face distance ${item.identity.distance.toFixed(2)} (${item.identity.matches ? "matches" : "does not match"} the selfie)`;
}

function lateNote(item) {
  return item.late ? `late: taken ${fmtTime(item.timestamp)}, received ${fmtTime(item.received_at)}` : "";
}
const fmtTime = (iso) => formatTime(iso, { seconds: true });
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** " · dismissed by Rita Reyes" for an incident a reviewer judged, else "". */
export function verdictWords(incident, decisions) {
  if (!incident.verdict) return "";
  const label = (decisions && decisions.verdicts[incident.verdict]) || incident.verdict;
  return ` · ${label.toLowerCase()}${incident.verdict_by ? ` by ${incident.verdict_by.name}` : ""}`;
}

/** The score's level: a number over too few usable frames is a state, not a colour. */
export function scoreLevel(integrity) {
  if (integrity.state === "insufficient_evidence") return "unknown";
  return integrity.score >= 85 ? "ok" : integrity.score >= 60 ? "warn" : "bad";
}

/** Recording has begun (else the score is "–" and the page says "not started yet"). */
export const hasStarted = (integrity) => Boolean(integrity.started || integrity.incidents.length);

/** "Face visible in 4 of 6 analysed frames · 1 waiting for analysis · 12 min recorded". */
export function evidenceText(integrity) {
  const parts = [`Face visible in ${integrity.frames_with_one_face} of ${plural(integrity.frames_analysed, "analysed frame")}`];
  if (integrity.frames_pending) parts.push(`${integrity.frames_pending} waiting for analysis`);
  if (integrity.recorded_seconds) parts.push(`camera live ${duration(integrity.recorded_seconds)}`);
  return parts.join(" · ");
}

export class TimelineView {
  constructor(root, data, { labels, candidateId, viewer = null, countHints = {}, decisions = null }) {
    this.root = root;
    this.decisions = decisions; // outcome, state and verdict labels (null: no reviewer tools)
    this.onNote = null; // ({at} | {imageId}) => open the note dialog
    this.onVerdict = null; // (incident, verdict) => open the verdict dialog
    this.countHints = countHints; // what each count counts (monitoring/review/selectors.py)
    this.data = data;
    this.labels = labels;
    this.candidateId = candidateId;
    this.viewer = viewer; // {id, name}: who is looking (a delete is marked with their name)
    this.rowsEl = root.querySelector("[data-rows]");
    this.more = root.querySelector("[data-more]");
    this.loading = root.querySelector("[data-loading]");
    this.empty = root.querySelector("[data-empty]");
    this.summary = document.querySelector("[data-summary]");
    this.thumbs = new Map(); // image id -> <button>, created once
    this.observer = new IntersectionObserver((entries) => this._visible(entries), { rootMargin: "150px" });
    data.signer.on("signed", (e) => this._setSrc(e.detail.key, e.detail.url));
  }

  flagLabel(flag) {
    return this.labels.incidents[flag] || flag;
  }

  eventLabel(type) {
    return this.labels.events[type] || type;
  }

  _visible(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      this.observer.unobserve(entry.target);
      this.data.signer.want(entry.target.dataset.key);
    }
  }

  _setSrc(key, url) {
    for (const img of this.root.querySelectorAll(`img[data-key="${CSS.escape(key)}"]`)) {
      if (!img.src) img.src = url;
    }
  }

  thumbFor(item, onOpen) {
    let el = this.thumbs.get(item.id);
    if (el) return el;
    el = document.createElement("button");
    el.type = "button";
    el.className = "thumb";
    el.dataset.imageId = item.id;
    // The button's name is its own text (what a sighted reader sees, in the same words), with
    // the words only a screen reader needs in visually hidden spans: no aria-label to drift.
    const hidden = (text) => {
      const span = document.createElement("span");
      span.className = "sr-only";
      span.textContent = text;
      return span;
    };
    const what = item.image_type === "camera" ? "Camera snapshot" : "Screen capture";
    const img = document.createElement("img");
    img.alt = "";
    img.dataset.key = item.s3Key;
    img.width = 160;
    img.height = item.image_type === "camera" ? 120 : 90;
    const time = document.createElement("time");
    time.className = "thumb-time";
    time.setAttribute("datetime", new Date(item.timestamp).toISOString());
    time.textContent = fmtTime(item.timestamp);
    el.append(img, hidden(`${what} at `), time);
    const flags = flagsOf(item);
    if (flags.length) {
      el.classList.add("is-flagged");
      const badge = document.createElement("span");
      badge.className = "thumb-flags";
      badge.textContent = flags.map((f) => this.flagLabel(f)).join(", ");
      el.append(hidden(", flagged: "), badge);
    }
    const notes = [addedBy(item, this.candidateId), item.late ? "late" : ""].filter(Boolean);
    if (notes.length) {
      el.classList.toggle("is-added", Boolean(addedBy(item, this.candidateId)));
      const note = document.createElement("span");
      note.className = "thumb-note";
      note.textContent = notes.join(" · ");
      note.title = [addedBy(item, this.candidateId), lateNote(item)].filter(Boolean).join("; ");
      el.append(hidden(", "), note);
      if (note.title !== note.textContent) el.append(hidden(` (${note.title})`));
    }
    el.addEventListener("click", () => onOpen(item.id));
    this.thumbs.set(item.id, el);
    this.observer.observe(img);
    return el;
  }

  /** The slot of a capture a reviewer deleted: not a picture any more, a line of the record. */
  deletedSlot(slot) {
    const el = document.createElement("div");
    el.className = "deleted-slot";
    el.dataset.deletedSlot = String(slot.id);
    el.setAttribute("role", "note");
    const who = slot.deleted_by ? slot.deleted_by.name : "a deleted account";
    const what = slot.image_type === "camera" ? "Camera snapshot" : "Screen capture";
    const text = document.createElement("span");
    text.className = "thumb-deleted";
    text.textContent = `Deleted by ${who}`;
    const time = document.createElement("time");
    time.className = "thumb-time";
    time.setAttribute("datetime", new Date(slot.timestamp).toISOString());
    time.textContent = fmtTime(slot.timestamp);
    el.title = `${what} of ${fmtTime(slot.timestamp)}, deleted by ${who} at ${formatDateTime(slot.deleted_at, { seconds: true })}`;
    el.setAttribute("aria-label", el.title);
    el.append(text, time);
    return el;
  }

  forget(id) {
    this.thumbs.get(id)?.remove();
    this.thumbs.delete(id);
  }

  _groups() {
    const { data } = this;
    const groups = new Map();
    const group = (key) => {
      if (!groups.has(key)) groups.set(key, { camera: [], screen: [], events: [] });
      return groups.get(key);
    };
    const items = data.items();
    for (const item of data.shown()) group(minuteKey(item.timestamp))[item.image_type].push(item);
    for (const slot of data.flaggedOnly ? [] : data.deleted.values()) {
      group(minuteKey(slot.timestamp))[slot.image_type].push({ ...slot, deletedSlot: true });
    }
    const first = items.length ? items[0].timestamp : null;
    const last = items.length ? items[items.length - 1].timestamp : null;
    for (const incident of data.incidents) {
      group(minuteKey(incident.started_at)).events.push({
        at: incident.started_at,
        type: `incident-${incident.type}`,
        tone: "bad",
        text: `Incident: ${incidentText(incident, { label: this.flagLabel(incident.type) })}${verdictWords(incident, this.decisions)}`,
        title: incident.reason,
      });
    }
    for (const note of data.notes) {
      group(minuteKey(note.at)).events.push({
        at: note.at,
        type: "note",
        tone: "note",
        noteId: note.id,
        text: `${fmtTime(note.at)} · Note${note.author ? ` by ${note.author.name}` : ""}: ${note.text}`,
        title: note.image_id ? "Pinned to a capture of this minute" : "",
      });
    }
    for (const event of data.flaggedOnly ? [] : [...data.events, ...data.consent]) {
      if (!data.hasMore || (last && event.at <= last) || !first) {
        const late = event.late ? ` (sent late, received ${fmtTime(event.received_at)})` : "";
        group(minuteKey(event.at)).events.push({
          ...event,
          tone: EVENT_TONE[event.type] || "info",
          text: `${fmtTime(event.at)} · ${this.eventLabel(event.type)}${late}`,
        });
      }
    }
    return groups;
  }

  render(onOpen) {
    const { data } = this;
    const groups = this._groups();
    const fragment = document.createDocumentFragment();
    for (const key of [...groups.keys()].sort()) {
      const g = groups.get(key);
      const row = document.createElement("section");
      row.className = "minute-row";
      row.dataset.minute = key;
      const label = document.createElement("div");
      label.className = "minute-label";
      label.textContent = formatTime(`${key}:00Z`);
      if (this.onNote) {
        const add = document.createElement("button");
        add.type = "button";
        add.className = "btn btn-link btn-sm add-note";
        add.dataset.addNote = key;
        add.textContent = "+ note";
        add.setAttribute("aria-label", `Add a note at ${formatTime(`${key}:00Z`)}`);
        add.addEventListener("click", () => this.onNote({ at: `${key}:00Z` }));
        label.append(document.createElement("br"), add);
      }
      const cam = document.createElement("div");
      cam.className = "minute-cell";
      const tile = (item) => (item.deletedSlot ? this.deletedSlot(item) : this.thumbFor(item, onOpen));
      g.camera.sort(byTime).forEach((item) => cam.append(tile(item)));
      const scr = document.createElement("div");
      scr.className = "minute-cell";
      g.screen.sort(byTime).forEach((item) => scr.append(tile(item)));
      const ev = document.createElement("div");
      ev.className = "minute-events";
      for (const event of g.events) {
        const chip = document.createElement("span");
        chip.className = `event-chip event-${event.tone}`;
        chip.dataset.eventType = event.type;
        if (event.noteId) chip.dataset.noteId = String(event.noteId);
        chip.textContent = event.text;
        if (event.title) chip.title = event.title;
        ev.append(chip);
      }
      row.append(label, cam, scr, ev);
      fragment.append(row);
    }
    this.rowsEl.replaceChildren(fragment);
    this.more.hidden = !data.hasMore;
    const items = data.items();
    this.empty.hidden = items.length > 0 || data.events.length > 0 || data.consent.length > 0;
    const cams = items.filter((i) => i.image_type === "camera").length;
    const flagged = items.filter((i) => flagsOf(i).length).length;
    const parts = [
      [`${flagged} flagged`, ""],
      [plural(cams, "camera snapshot"), ""],
      [plural(items.length - cams, "screen capture"), ""],
      [plural(data.events.length, "event"), this.countHints.events],
      [plural(data.consent.length, "consent answer"), this.countHints.consent],
    ];
    this.summary.replaceChildren(...parts.flatMap(([text, hint], i) => {
      const span = document.createElement("span");
      span.textContent = text;
      if (hint) span.title = hint;
      span.dataset.count = ["flagged", "camera", "screen", "events", "consent"][i];
      return i ? [" · ", span] : [span];
    }), data.hasMore ? " loaded so far" : "");
    if (data.ready && !data.hasMore) this.renderRecordLine(cams, items.length - cams, data.events.length);
  }

  /** The header's counts, kept current while the timeline hears of new captures and events
   * (only when everything is loaded: then both count the same things). */
  renderRecordLine(camera, screen, events) {
    const line = document.querySelector("[data-record]");
    if (!line) return;
    const captures = line.querySelector('[data-cell="captures"]');
    const count = line.querySelector('[data-cell="events"]');
    if (captures) captures.textContent = `${camera} camera · ${screen} screen`;
    if (count) count.textContent = plural(events, "event");
  }

  renderLoading() {
    this.loading.hidden = !this.data.loading;
    this.more.disabled = this.data.loading;
  }

  renderIntegrity(box) {
    const summary = this.data.integrity;
    if (!box || !summary) return;
    const score = box.querySelector("[data-score]");
    const started = hasStarted(summary);
    score.textContent = started ? String(summary.score) : "–";
    score.dataset.level = started ? scoreLevel(summary) : "unknown";
    score.title = started ? "" : "Nothing has been recorded yet";
    const reviewedBox = box.querySelector("[data-reviewed-score-box]");
    if (reviewedBox) {
      const reviewed = reviewedBox.querySelector("[data-reviewed-score]");
      reviewedBox.hidden = !started;
      reviewed.textContent = started ? String(summary.reviewed_score) : "–";
      reviewed.dataset.level = started ? scoreLevel({ ...summary, score: summary.reviewed_score }) : "unknown";
      const dismissed = summary.incidents.filter((i) => i.verdict === "dismissed").length;
      reviewedBox.querySelector("[data-reviewed-hint]").textContent = dismissed
        ? `${plural(dismissed, "dismissed flag")} left out`
        : "no flag dismissed";
    }
    const evidence = box.querySelector("[data-evidence]");
    if (evidence) {
      evidence.textContent = started ? evidenceText(summary) : "Not started yet: nothing has been recorded.";
      evidence.classList.toggle("alert", summary.state === "insufficient_evidence" && started);
      evidence.classList.toggle("alert-warn", summary.state === "insufficient_evidence" && started);
      if (summary.state === "insufficient_evidence" && started) {
        evidence.textContent += ". Too few frames show the candidate's face for the score to mean much — look at the captures.";
      }
    }
    const table = box.querySelector("[data-integrity-table]");
    const entries = Object.entries(summary.summary);
    if (entries.length) {
      const t = document.createElement("table");
      t.className = "table compact";
      t.innerHTML = "<thead><tr><th>Incident</th><th>Count</th><th>Total</th><th>Points</th></tr></thead>";
      const body = document.createElement("tbody");
      for (const [type, s] of entries) {
        const tr = document.createElement("tr");
        const cells = [s.label, String(s.count), `${Math.round(s.duration_seconds)} s`, `−${s.points}`];
        for (const text of cells) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        const per = document.createElement("span");
        per.className = "muted small";
        per.textContent = ` (${summary.weights[type]} per minute)`;
        tr.lastChild.append(per);
        body.append(tr);
      }
      t.append(body);
      table.replaceChildren(t);
    } else {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No sustained incident. Single flagged frames are shown on the timeline but do not count.";
      table.replaceChildren(p);
    }
    box.querySelector("[data-incidents]").replaceChildren(...summary.incidents.map((i) => {
      const li = document.createElement("li");
      const text = document.createElement("span");
      text.textContent = `${incidentText(i, { label: this.flagLabel(i.type) })} · −${i.points}`;
      text.title = i.reason; // the stored wording, in UTC
      li.append(text);
      li.dataset.incidentType = i.type;
      li.dataset.incidentId = String(i.id);
      if (i.ongoing) li.classList.add("ongoing");
      if (i.verdict) {
        li.dataset.verdict = i.verdict;
        const chip = document.createElement("span");
        chip.className = `chip verdict-chip verdict-${i.verdict}`;
        chip.dataset.verdictChip = i.verdict;
        const label = this.decisions ? this.decisions.verdicts[i.verdict] : i.verdict;
        const by = i.verdict_by ? ` by ${i.verdict_by.name}` : "";
        chip.textContent = `${label}${by}`;
        chip.title = [i.verdict_note, i.verdict_at ? formatDateTime(i.verdict_at, { seconds: true }) : ""].filter(Boolean).join(" · ");
        li.append(" ", chip);
        if (i.verdict_note) {
          const note = document.createElement("span");
          note.className = "muted small verdict-note";
          note.textContent = ` “${i.verdict_note}”`;
          li.append(note);
        }
      }
      if (this.onVerdict && i.id !== null) {
        const tools = document.createElement("span");
        tools.className = "verdict-tools";
        for (const [verdict, word] of [["confirmed", "Confirm"], ["dismissed", "Dismiss"]]) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-ghost btn-sm";
          button.dataset.verdict = verdict;
          button.textContent = word;
          button.setAttribute("aria-label", `${word} the incident: ${text.textContent}`);
          button.addEventListener("click", () => this.onVerdict(i, verdict));
          tools.append(button);
        }
        li.append(" ", tools);
      }
      return li;
    }));
    const zone = box.querySelector("[data-zone]");
    if (zone) zone.textContent = `Times in ${zoneName()}.`;
    box.hidden = false;
  }
}

/** The full-screen viewer: one capture at a time, ← / → to step, delete for reviewers. */
export class TimelineViewer {
  constructor(dialog, data, view, { toast }) {
    this.dialog = dialog;
    this.data = data;
    this.view = view;
    this.toast = toast;
    this.current = null;
    this.img = dialog.querySelector("[data-viewer-image]");
    dialog.addEventListener("keydown", (e) => {
      if (e.key === "ArrowRight") { e.preventDefault(); this.step(1); }
      if (e.key === "ArrowLeft") { e.preventDefault(); this.step(-1); }
    });
    dialog.querySelector("[data-viewer-next]").addEventListener("click", () => this.step(1));
    dialog.querySelector("[data-viewer-prev]").addEventListener("click", () => this.step(-1));
    dialog.querySelector("[data-viewer-close]").addEventListener("click", () => dialog.close());
    dialog.querySelector("[data-viewer-delete]")?.addEventListener("click", () => this.remove());
    dialog.querySelector("[data-viewer-note]")?.addEventListener("click", () => {
      if (this.view.onNote) this.view.onNote({ imageId: this.current });
    });
    data.on("change", () => { if (dialog.open) this.renderNotes(); });
  }

  async open(id) {
    this.current = id;
    const item = this.data.byId.get(id);
    const list = this.data.shown();
    const index = list.findIndex((i) => i.id === id);
    const flags = flagsOf(item).map((f) => this.view.flagLabel(f));
    const what = item.image_type === "camera" ? "Camera snapshot" : "Screen capture";
    const extra = [addedBy(item, this.view.candidateId), lateNote(item), identityNote(item)].filter(Boolean);
    const title = `${what} · ${formatDateTime(item.timestamp, { seconds: true })}${flags.length ? ` · ⚑ ${flags.join(", ")}` : ""}${extra.length ? ` · ${extra.join(" · ")}` : ""}`;
    this.dialog.querySelector("[data-viewer-title]").textContent = title;
    this.dialog.querySelector("[data-viewer-index]").textContent = `${index + 1} of ${list.length}`;
    this.img.alt = title;
    this.img.dataset.imageId = String(id);
    this.renderNotes();
    this.img.src = await this.data.signer.urlFor(item.s3Key);
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** The notes pinned to the capture shown. */
  renderNotes() {
    const list = this.dialog.querySelector("[data-viewer-note-list]");
    if (!list) return;
    const notes = this.data.notes.filter((n) => n.image_id === this.current);
    list.replaceChildren(...notes.map((n) => {
      const li = document.createElement("li");
      li.dataset.noteId = String(n.id);
      li.textContent = `${formatDateTime(n.created_at)} · ${n.author ? n.author.name : "a deleted account"}: ${n.text}`;
      return li;
    }));
  }

  step(delta) {
    const list = this.data.shown();
    if (!list.length) return;
    const index = list.findIndex((i) => i.id === this.current);
    const next = list[Math.min(list.length - 1, Math.max(0, index + delta))];
    if (next) this.open(next.id);
  }

  async remove() {
    const ask = "Delete this capture? It is removed from storage for good; the timeline keeps "
      + "its place, marked as deleted by you, and it never counts against the candidate.";
    if (!window.confirm(ask)) return;
    const id = this.current;
    const index = this.data.shown().findIndex((i) => i.id === id);
    try {
      await this.data.remove(id, { by: this.view.viewer });
    } catch (err) {
      this.toast(`Could not delete: ${err.message}`, "error");
      return;
    }
    this.view.forget(id);
    this.toast("Capture deleted.", "ok");
    const rest = this.data.shown().sort(byTime);
    if (!rest.length) this.dialog.close();
    else this.open(rest[Math.min(index, rest.length - 1)].id);
  }
}
