// The review timeline: camera and screen captures side by side, grouped by minute, with the
// interview's events in the same time line. Thumbnails are signed in batches — one request
// for whatever has scrolled into view, never one per image — and only when visible.

import { getJSON } from "../js/http.js";
import { toast } from "../js/toast.js";
import { MonitoringImages } from "./client.js";

const EVENT_LABELS = {
  on: "Camera on",
  off: "Camera off",
  timeout: "Camera signal lost",
  tab_hidden: "Tab hidden",
  tab_visible: "Tab visible",
  window_blur: "Window lost focus",
  window_focus: "Window focused",
  screen_share_started: "Screen sharing started",
  screen_share_stopped: "Screen sharing stopped",
  fullscreen_exit: "Left full screen",
};
const EVENT_TONE = { off: "warn", timeout: "warn", tab_hidden: "warn", window_blur: "warn", screen_share_stopped: "warn", fullscreen_exit: "warn" };

const FLAG_LABELS = {
  camera_covered: "Camera covered",
  frozen_frame: "Frozen frame",
  no_face: "No face",
  multiple_faces: "Several faces",
};
const flagsOf = (item) => (item.analysis && item.analysis.flags) || [];

const minuteKey = (iso) => iso.slice(0, 16); // YYYY-MM-DDTHH:MM (UTC)
const fmtTime = (iso) => new Date(iso).toLocaleTimeString();

export function mountTimeline(root, config) {
  const images = new MonitoringImages({ applicationId: config.applicationId });
  const api = `/api/applications/${config.applicationId}`;
  const rowsEl = root.querySelector("[data-rows]");
  const more = root.querySelector("[data-more]");
  const loading = root.querySelector("[data-loading]");
  const empty = root.querySelector("[data-empty]");
  const summary = document.querySelector("[data-summary]");
  const viewer = document.querySelector("[data-viewer]");

  const state = { byId: new Map(), events: [], since: null, hasMore: false, signBatches: [] };
  const thumbs = new Map(); // image id -> <button> element, created once
  const urls = new Map(); // s3Key -> signed url
  const pending = new Set();
  let flushTimer = null;

  // --- Lazy, batched signing ----------------------------------------------------------------
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      const key = entry.target.dataset.key;
      if (urls.has(key)) setSrc(key);
      else pending.add(key);
    }
    if (pending.size && !flushTimer) flushTimer = setTimeout(flush, 60);
  }, { rootMargin: "150px" });

  async function flush() {
    flushTimer = null;
    const keys = [...pending];
    pending.clear();
    if (!keys.length) return;
    state.signBatches.push(keys.length);
    try {
      const got = await images.getImageUrls(keys);
      for (const [key, url] of Object.entries(got)) {
        urls.set(key, url);
        setSrc(key);
      }
    } catch (err) {
      toast(`Could not load thumbnails: ${err.message}`, "error");
    }
  }

  function setSrc(key) {
    for (const img of root.querySelectorAll(`img[data-key="${CSS.escape(key)}"]`)) {
      if (!img.src) img.src = urls.get(key);
    }
  }

  // --- Data ---------------------------------------------------------------------------------
  async function loadPage() {
    loading.hidden = false;
    more.disabled = true;
    try {
      const data = await images.getImages({ since: state.since, limit: config.pageSize });
      const lastTimes = [];
      for (const kind of ["camera", "screen"]) {
        for (const item of data[kind]) state.byId.set(item.id, { ...item, image_type: kind });
        if (data[kind].length === config.pageSize) lastTimes.push(data[kind][data[kind].length - 1].timestamp);
      }
      state.hasMore = lastTimes.length > 0;
      state.since = state.hasMore ? lastTimes.sort()[0] : state.since;
      render();
    } catch (err) {
      toast(`Could not load captures: ${err.message}`, "error");
    } finally {
      loading.hidden = true;
      more.disabled = false;
    }
  }

  async function loadIntegrity() {
    const box = document.querySelector("[data-integrity]");
    if (!box) return;
    try {
      const data = await getJSON(`${api}/integrity/`);
      state.incidents = data.incidents;
      box.querySelector("[data-score]").textContent = String(data.score);
      box.querySelector("[data-score]").dataset.level = data.score >= 85 ? "ok" : data.score >= 60 ? "warn" : "bad";
      const rows = Object.entries(data.summary).map(([type, s]) =>
        `<tr><td>${s.label}</td><td>${s.count}</td><td>${Math.round(s.duration_seconds)} s</td><td>−${s.points} <span class="muted small">(${data.weights[type]} per minute)</span></td></tr>`);
      box.querySelector("[data-integrity-table]").innerHTML = rows.length
        ? `<table class="table compact"><thead><tr><th>Incident</th><th>Count</th><th>Total</th><th>Points</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
        : `<p class="muted">No sustained incident. Single flagged frames are shown on the timeline but do not count.</p>`;
      const list = box.querySelector("[data-incidents]");
      list.replaceChildren(...data.incidents.map((i) => {
        const li = document.createElement("li");
        li.textContent = i.reason;
        li.dataset.incidentType = i.type;
        if (i.ongoing) li.classList.add("ongoing");
        return li;
      }));
      box.hidden = false;
    } catch (err) {
      toast(`Could not load the integrity summary: ${err.message}`, "error");
    }
  }

  async function loadEvents() {
    try {
      const [page, camera] = await Promise.all([getJSON(`${api}/events/`), getJSON(`${api}/camera-events/`)]);
      state.events = [
        ...page.map((e) => ({ ...e, at: e.occurred_at, label: EVENT_LABELS[e.type] || e.type, tone: EVENT_TONE[e.type] })),
        ...camera.map((e) => ({ ...e, type: e.kind, at: e.occurred_at, label: EVENT_LABELS[e.kind] || e.kind, tone: EVENT_TONE[e.kind] || "ok" })),
      ].sort((a, b) => a.at.localeCompare(b.at));
    } catch (err) {
      toast(`Could not load events: ${err.message}`, "error");
    }
  }

  function ordered() {
    const all = [...state.byId.values()];
    return (state.flaggedOnly ? all.filter((i) => flagsOf(i).length) : all).sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.id - b.id);
  }

  // --- Rendering ------------------------------------------------------------------------------
  function thumbFor(item) {
    let el = thumbs.get(item.id);
    if (el) return el;
    el = document.createElement("button");
    el.type = "button";
    el.className = "thumb";
    el.dataset.imageId = item.id;
    el.setAttribute("aria-label", `${item.image_type === "camera" ? "Camera snapshot" : "Screen capture"} at ${fmtTime(item.timestamp)}`);
    const img = document.createElement("img");
    img.alt = "";
    img.dataset.key = item.s3Key;
    img.width = 160;
    img.height = item.image_type === "camera" ? 120 : 90;
    const time = document.createElement("span");
    time.className = "thumb-time";
    time.textContent = fmtTime(item.timestamp);
    el.append(img, time);
    const flags = flagsOf(item);
    if (flags.length) {
      el.classList.add("is-flagged");
      const badge = document.createElement("span");
      badge.className = "thumb-flags";
      badge.textContent = flags.map((f) => FLAG_LABELS[f] || f).join(", ");
      el.append(badge);
      el.setAttribute("aria-label", `${el.getAttribute("aria-label")}, flagged: ${badge.textContent}`);
    }
    el.addEventListener("click", () => openViewer(item.id));
    thumbs.set(item.id, el);
    observer.observe(img);
    return el;
  }

  function render() {
    const groups = new Map();
    const group = (key) => {
      if (!groups.has(key)) groups.set(key, { camera: [], screen: [], events: [] });
      return groups.get(key);
    };
    const items = [...state.byId.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.id - b.id);
    const shown = state.flaggedOnly ? items.filter((i) => flagsOf(i).length) : items;
    for (const item of shown) group(minuteKey(item.timestamp))[item.image_type].push(item);
    const first = items.length ? items[0].timestamp : null;
    const last = items.length ? items[items.length - 1].timestamp : null;
    for (const incident of state.incidents || []) {
      group(minuteKey(incident.started_at)).events.push({
        at: incident.started_at, type: `incident-${incident.type}`, tone: "bad",
        label: `Incident: ${incident.reason}`,
      });
    }
    for (const event of state.flaggedOnly ? [] : state.events) {
      if (!state.hasMore || (last && event.at <= last) || !first) group(minuteKey(event.at)).events.push(event);
    }
    const keys = [...groups.keys()].sort();
    const fragment = document.createDocumentFragment();
    for (const key of keys) {
      const g = groups.get(key);
      const row = document.createElement("section");
      row.className = "minute-row";
      row.dataset.minute = key;
      const label = document.createElement("div");
      label.className = "minute-label";
      label.textContent = new Date(`${key}:00Z`).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      const cam = document.createElement("div");
      cam.className = "minute-cell";
      g.camera.forEach((item) => cam.append(thumbFor(item)));
      const scr = document.createElement("div");
      scr.className = "minute-cell";
      g.screen.forEach((item) => scr.append(thumbFor(item)));
      const ev = document.createElement("div");
      ev.className = "minute-events";
      for (const event of g.events) {
        const chip = document.createElement("span");
        chip.className = `event-chip event-${event.tone || "info"}`;
        chip.dataset.eventType = event.type;
        chip.textContent = event.type.startsWith("incident-") ? event.label : `${fmtTime(event.at)} · ${event.label}`;
        ev.append(chip);
      }
      row.append(label, cam, scr, ev);
      fragment.append(row);
    }
    rowsEl.replaceChildren(fragment);
    more.hidden = !state.hasMore;
    empty.hidden = items.length > 0 || state.events.length > 0;
    const cams = items.filter((i) => i.image_type === "camera").length;
    const flagged = items.filter((i) => flagsOf(i).length).length;
    summary.textContent = `${flagged} flagged · ${cams} camera snapshot${cams === 1 ? "" : "s"} · ${items.length - cams} screen capture${items.length - cams === 1 ? "" : "s"} · ${state.events.length} event${state.events.length === 1 ? "" : "s"}${state.hasMore ? " loaded so far" : ""}`;
  }

  // --- Viewer ---------------------------------------------------------------------------------
  let current = null;
  const vImg = viewer.querySelector("[data-viewer-image]");

  async function openViewer(id) {
    current = id;
    const item = state.byId.get(id);
    const list = ordered();
    const index = list.findIndex((i) => i.id === id);
    const flags = flagsOf(item).map((f) => FLAG_LABELS[f] || f);
    viewer.querySelector("[data-viewer-title]").textContent =
      `${item.image_type === "camera" ? "Camera snapshot" : "Screen capture"} · ${new Date(item.timestamp).toLocaleString()}${flags.length ? ` · ⚑ ${flags.join(", ")}` : ""}`;
    viewer.querySelector("[data-viewer-index]").textContent = `${index + 1} of ${list.length}`;
    vImg.alt = viewer.querySelector("[data-viewer-title]").textContent;
    vImg.dataset.imageId = String(id);
    if (!urls.has(item.s3Key)) {
      const got = await images.getImageUrls([item.s3Key]);
      Object.entries(got).forEach(([k, u]) => urls.set(k, u));
    }
    vImg.src = urls.get(item.s3Key) || "";
    if (!viewer.open) viewer.showModal();
  }

  function step(delta) {
    const list = ordered();
    if (!list.length) return;
    const index = list.findIndex((i) => i.id === current);
    const next = list[Math.min(list.length - 1, Math.max(0, index + delta))];
    if (next) openViewer(next.id);
  }

  viewer.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") { e.preventDefault(); step(1); }
    if (e.key === "ArrowLeft") { e.preventDefault(); step(-1); }
  });
  viewer.querySelector("[data-viewer-next]").addEventListener("click", () => step(1));
  viewer.querySelector("[data-viewer-prev]").addEventListener("click", () => step(-1));
  viewer.querySelector("[data-viewer-close]").addEventListener("click", () => viewer.close());
  viewer.querySelector("[data-viewer-delete]")?.addEventListener("click", async () => {
    if (!window.confirm("Delete this capture? It is removed from storage for good.")) return;
    const id = current;
    try {
      await images.deleteImage(id);
    } catch (err) {
      toast(`Could not delete: ${err.message}`, "error");
      return;
    }
    const list = ordered();
    const index = list.findIndex((i) => i.id === id);
    state.byId.delete(id);
    thumbs.get(id)?.remove();
    thumbs.delete(id);
    render();
    toast("Capture deleted.", "ok");
    const rest = ordered();
    if (!rest.length) viewer.close();
    else openViewer(rest[Math.min(index, rest.length - 1)].id);
  });

  more.addEventListener("click", loadPage);
  const flaggedToggle = document.querySelector("[data-flagged-only]");
  flaggedToggle?.addEventListener("change", () => {
    state.flaggedOnly = flaggedToggle.checked;
    render();
  });
  Promise.all([loadEvents(), loadPage(), loadIntegrity()]).then(render);
  return { state, loadPage, openViewer };
}
