// The live board: a card per live camera, pushed over /ws/camera/streams/.
//
// On every (re)connect the server sends a full snapshot, so a missed message heals itself.
// Cards also expire on the board when their last heartbeat is older than the timeout, even
// if no `stream.ended` arrives (no sweeper running, or a lost message).

import { backoffDelay } from "../js/backoff.js";
import { postJSON } from "../js/http.js";
import { Emitter } from "../js/emitter.js";
import { timeAgo, toast } from "../js/toast.js";
import { formatTime } from "../js/time.js";
import { wsUrl } from "../js/ws.js";
import { LiveViewer } from "./live.js";
import { messageItem } from "./proctor.js";

export const BOARD_PATH = "/ws/camera/streams/";

const CLOSE_NOT_SIGNED_IN = 4401;
const CLOSE_NOT_ALLOWED = 4403;
// An open socket that has not sent its snapshot within this time is dead (the server could
// not serve it): close it and reconnect, rather than show an empty board as if all were well.
export const SNAPSHOT_WAIT_MS = 5000;

export class LiveBoard extends Emitter {
  constructor({ url = wsUrl(BOARD_PATH), minDelayMs = 1000, maxDelayMs = 30_000, snapshotWaitMs = SNAPSHOT_WAIT_MS } = {}) {
    super();
    this.url = url;
    this.snapshotWaitMs = snapshotWaitMs;
    this._watchdog = null;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.streams = new Map();
    this.hands = new Map(); // user_id → raised at (ISO): live proctoring
    this.conversations = new Map(); // user_id → [message, …] heard since this board opened
    this.warnings = [];
    this.timeoutMs = 30_000;
    this.clockOffsetMs = 0; // server time minus local time
    this.attempt = 0;
    this.state = "connecting";
    this.socket = null;
    this.retryAt = null;
    this._expiryTimer = setInterval(() => this._expire(), 1000);
  }

  connect() {
    this._setState("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      // Live only once the snapshot arrives; until then, a watchdog.
      this._watchdog = setTimeout(() => socket.close(), this.snapshotWaitMs);
    });
    socket.addEventListener("message", (e) => this._onMessage(JSON.parse(e.data)));
    socket.addEventListener("close", (e) => {
      if (this.socket === socket) this._onClose(e.code);
    });
  }

  close() {
    clearInterval(this._expiryTimer);
    if (this.socket) this.socket.close();
  }

  serverNow() {
    return Date.now() + this.clockOffsetMs;
  }

  _setState(state) {
    this.state = state;
    this.emit("state", { state, retryAt: this.retryAt });
  }

  _changed() {
    this.emit("change");
  }

  /** Send a message on the board's socket (live video signalling); false when it is closed. */
  send(msg) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  /** Write to (or warn) a candidate; false when the socket is closed. */
  sendMessage(userId, text, { warning = false } = {}) {
    return this.send({ type: "message.send", user_id: userId, text, warning });
  }

  _onMessage(msg) {
    if (typeof msg.type === "string" && msg.type.startsWith("watch.")) {
      this.emit("message", msg); // live video (live.js); the cards do not change
      return;
    }
    if (msg.type === "message") {
      const lines = this.conversations.get(msg.user_id) || [];
      if (!lines.some((m) => m.id === msg.id)) lines.push(msg);
      this.conversations.set(msg.user_id, lines.slice(-50));
    } else if (msg.type === "hand.raised") {
      this.hands.set(msg.user_id, msg.at);
    } else if (msg.type === "hand.lowered") {
      this.hands.delete(msg.user_id);
    } else if (msg.type === "interview.terminated") {
      this.hands.delete(msg.user_id);
    } else if (msg.type === "error") {
      this.emit("refused", msg);
      return;
    }
    if (["message", "hand.raised", "hand.lowered", "interview.terminated"].includes(msg.type)) {
      this.emit("message", msg);
      this._changed();
      return;
    }
    if (msg.type === "snapshot") {
      clearTimeout(this._watchdog);
      this.attempt = 0;
      if (this.state !== "live") this._setState("live");
      this.timeoutMs = (msg.timeout || 30) * 1000;
      if (msg.server_time) this.clockOffsetMs = Date.parse(msg.server_time) - Date.now();
      this.streams = new Map(msg.streams.map((s) => [s.user_id, s]));
      this.hands = new Map(msg.streams.filter((s) => s.hand_raised_at).map((s) => [s.user_id, s.hand_raised_at]));
      this.warnings = msg.warnings || [];
    } else if (msg.type === "stream.started" || msg.type === "stream.updated") {
      const before = this.streams.get(msg.stream.user_id);
      const incident = msg.stream.incident;
      if (incident && (!before || !before.incident || before.incident.id !== incident.id)) {
        this.emit("incident", { stream: { ...before, ...msg.stream } }); // a notice
      }
      this.streams.set(msg.stream.user_id, { ...this.streams.get(msg.stream.user_id), ...msg.stream });
    } else if (msg.type === "stream.ended") {
      this.streams.delete(msg.stream.user_id);
    } else {
      return;
    }
    this.emit("message", msg);
    this._changed();
  }

  _onClose(code) {
    clearTimeout(this._watchdog);
    this.socket = null;
    if (code === CLOSE_NOT_SIGNED_IN || code === CLOSE_NOT_ALLOWED) {
      this._setState(code === CLOSE_NOT_SIGNED_IN ? "signed-out" : "forbidden");
      return;
    }
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, { minMs: this.minDelayMs, maxMs: this.maxDelayMs });
    this.retryAt = Date.now() + delay;
    this._setState("reconnecting");
    setTimeout(() => this.connect(), delay);
  }

  _expire() {
    const now = this.serverNow();
    let changed = false;
    for (const [id, s] of this.streams) {
      if (now - Date.parse(s.last_updated) > this.timeoutMs) {
        this.streams.delete(id);
        changed = true;
      }
    }
    if (changed) this._changed();
    this.emit("tick");
  }
}

/** "3 min ago" when the snapshot is older than 2× the camera interval (else ""): a live card
 * must not present a minutes-old picture as if it were current. */
export function snapshotAge(stream, board) {
  if (!stream.snapshot_url || !stream.snapshot_at || !stream.camera_interval) return "";
  const ms = board.serverNow() - Date.parse(stream.snapshot_at);
  return ms > 2 * stream.camera_interval * 1000 ? timeAgo(ms) : "";
}

function cardFor(stream) {
  const card = document.createElement("article");
  card.className = "stream-card";
  card.dataset.userId = stream.user_id;
  card.innerHTML = `
    <header class="stream-card-head">
      <div>
        <h2 class="h3 stream-name"></h2>
        <p class="muted small stream-username"></p>
      </div>
      <span class="live-badge"><span class="live-dot" aria-hidden="true"></span>LIVE</span>
    </header>
    <p class="stream-hand" data-hand hidden role="status"></p>
    <div class="live-player" data-live-player hidden>
      <video autoplay muted playsinline></video>
      <p class="small live-state" data-live-state role="status"></p>
    </div>
    <div class="stream-picture">
      <img class="stream-snapshot" alt="" hidden>
      <span class="snapshot-age" hidden></span>
      <div class="stream-picture-inner">
        <svg class="camera-icon" viewBox="0 0 24 24" width="44" height="44" aria-hidden="true"><path fill="currentColor" d="M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z"/></svg>
        <p class="small">Waiting for the first snapshot</p>
      </div>
    </div>
    <p class="stream-state"><svg class="camera-icon-sm" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z"/></svg><span class="stream-active">Camera active</span></p>
    <p class="small muted stream-seen"></p>
    <p class="small muted stream-shot" hidden>Snapshot taken <time data-format="time-seconds"></time></p>
    <div class="stream-actions">
      <button type="button" class="btn btn-ghost btn-sm" data-watch>Watch live</button>
      <button type="button" class="btn btn-ghost btn-sm" data-watch-stop hidden>Stop watching</button>
    </div>
    <div class="stream-chat" data-chat hidden>
      <ol class="chat-list" data-chat-list aria-live="polite" tabindex="0" aria-label="Messages"></ol>
      <form data-chat-form>
        <input type="text" maxlength="1000" placeholder="Message…" data-chat-input>
        <button type="submit" class="btn btn-primary btn-sm">Send</button>
        <select data-warn><option value="">Warn…</option></select>
      </form>
      <button type="button" class="btn btn-link btn-sm" data-end-open>End interview…</button>
      <form class="stream-end" data-end-form hidden>
        <input type="text" maxlength="500" required placeholder="Reason (the candidate sees it)" data-end-reason>
        <button type="submit" class="btn btn-danger btn-sm">End interview</button>
        <button type="button" class="btn btn-ghost btn-sm" data-end-cancel>Cancel</button>
      </form>
    </div>`;
  return card;
}

function fillCard(card, stream, board) {
  const nameEl = card.querySelector(".stream-name");
  if (stream.application_id) {
    let link = nameEl.querySelector("a");
    if (!link) {
      link = document.createElement("a");
      link.className = "stream-link";
      nameEl.replaceChildren(link);
      card.classList.add("is-clickable");
      card.addEventListener("click", (e) => {
        if (e.target.closest("a, button, video, [data-live-player], [data-chat]")) return;
        window.location.href = link.href;
      });
    }
    link.href = `/console/applications/${stream.application_id}/`;
    link.textContent = stream.name;
  } else {
    nameEl.textContent = stream.name;
  }
  const picture = card.querySelector(".stream-snapshot");
  const placeholder = card.querySelector(".stream-picture-inner");
  const shot = card.querySelector(".stream-shot");
  if (stream.snapshot_url) {
    if (picture.dataset.snapshotAt !== stream.snapshot_at) {
      const taken = formatTime(stream.snapshot_at, { seconds: true });
      picture.src = stream.snapshot_url;
      picture.dataset.snapshotAt = stream.snapshot_at;
      picture.alt = `Latest camera snapshot of ${stream.name}, ${taken}`;
      const time = shot.querySelector("time");
      time.setAttribute("datetime", new Date(stream.snapshot_at).toISOString());
      time.textContent = taken;
    }
    picture.hidden = false;
    placeholder.hidden = true;
    shot.hidden = false;
  } else {
    picture.hidden = true;
    placeholder.hidden = false;
    shot.hidden = true;
  }
  card.querySelector(".stream-picture").classList.toggle("has-snapshot", Boolean(stream.snapshot_url));
  const age = card.querySelector(".snapshot-age");
  const old = snapshotAge(stream, board);
  age.hidden = !old;
  age.textContent = old ? `Snapshot ${old}` : "";
  card.querySelector(".stream-username").textContent = `@${stream.username}`;
  let banner = card.querySelector(".stream-incident");
  if (stream.incident) {
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "stream-incident";
      banner.setAttribute("role", "status");
      card.querySelector(".stream-picture").after(banner);
    }
    const since = Date.parse(stream.incident.since);
    const secs = Math.max(0, Math.round((board.serverNow() - since) / 1000));
    const span = secs < 120 ? `${secs} s` : `${Math.floor(secs / 60)} min`;
    banner.textContent = `⚠ ${stream.incident.label} for ${span}`;
    banner.title = `${stream.incident.label} since ${formatTime(since, { seconds: true })}`;
    card.classList.add("has-incident");
  } else if (banner) {
    banner.remove();
    card.classList.remove("has-incident");
  }
  // The identity check's state (monitoring's words): shown while the organization checks it.
  let identity = card.querySelector(".stream-identity");
  if (stream.identity) {
    if (!identity) {
      identity = document.createElement("span");
      card.querySelector(".stream-state").append(identity);
    }
    identity.className = `identity-chip stream-identity identity-${stream.identity.state}`;
    identity.dataset.identityState = stream.identity.state;
    identity.textContent = stream.identity.label;
  } else if (identity) {
    identity.remove();
  }
  const seen = Date.parse(stream.last_updated);
  const local = new Date(seen - board.clockOffsetMs);
  card.querySelector(".stream-seen").textContent =
    `Last seen: ${formatTime(local, { seconds: true })} (${timeAgo(board.serverNow() - seen)})`;
  card.setAttribute("aria-label", `${stream.name}, camera live`);
  const hand = card.querySelector("[data-hand]");
  const raised = board.hands.get(stream.user_id);
  hand.hidden = !raised;
  hand.textContent = raised ? `Hand raised ${timeAgo(board.serverNow() - Date.parse(raised))} — answer with a message` : "";
  card.classList.toggle("has-hand", Boolean(raised));
  const chat = card.querySelector("[data-chat]");
  chat.hidden = !stream.application_id;
  const list = chat.querySelector("[data-chat-list]");
  const shown = new Set([...list.children].map((li) => li.dataset.messageId));
  for (const msg of board.conversations.get(stream.user_id) || []) {
    if (!shown.has(String(msg.id))) {
      list.append(messageItem(msg, { selfSide: null }));
      list.scrollTop = list.scrollHeight;
    }
  }
  const warn = chat.querySelector("[data-warn]");
  if (warn.options.length !== board.warnings.length + 1) {
    warn.replaceChildren(new Option("Warn…", ""), ...board.warnings.map((w) => new Option(w, w)));
  }
}

/** Messages, warnings and the end of the interview, from the card. */
function mountProctorTools(card, stream, board) {
  const form = card.querySelector("[data-chat-form]");
  const input = card.querySelector("[data-chat-input]");
  const warn = card.querySelector("[data-warn]");
  const endOpen = card.querySelector("[data-end-open]");
  const endForm = card.querySelector("[data-end-form]");
  const reason = card.querySelector("[data-end-reason]");
  input.setAttribute("aria-label", `Message to ${stream.name}`);
  warn.setAttribute("aria-label", `Send ${stream.name} a warning`);
  reason.setAttribute("aria-label", `Why the interview of ${stream.name} ends`);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (board.sendMessage(stream.user_id, text)) input.value = "";
    else toast("The board is not connected; try again in a moment.", "warn");
  });
  warn.addEventListener("change", () => {
    if (!warn.value) return;
    if (board.sendMessage(stream.user_id, warn.value, { warning: true })) toast(`Warning sent to ${stream.name}.`, "ok");
    warn.value = "";
  });
  endOpen.addEventListener("click", () => {
    endForm.hidden = false;
    endOpen.hidden = true;
    reason.focus();
  });
  card.querySelector("[data-end-cancel]").addEventListener("click", () => {
    endForm.hidden = true;
    endOpen.hidden = false;
  });
  endForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = reason.value.trim();
    if (!text || !stream.application_id) return;
    try {
      await postJSON(`/api/applications/${stream.application_id}/terminate/`, { reason: text });
      toast(`The interview of ${stream.name} was ended.`, "ok");
      endForm.hidden = true;
    } catch (err) {
      toast(err.message, "error");
    }
  });
}

const NEED = { hand: 0, incident: 1, mismatch: 2, silent: 3, rest: 4 };

/** Where to look first: a raised hand, an open incident, an identity mismatch, a silent
 * camera (no snapshot for 2× its interval), then the rest — each group by name. */
export function needOf(stream, board) {
  if (board.hands.has(stream.user_id)) return NEED.hand;
  if (stream.incident && stream.incident.type === "identity_mismatch") return NEED.mismatch;
  if (stream.incident) return NEED.incident;
  const interval = (stream.camera_interval || 30) * 1000;
  const seen = stream.snapshot_at ? Date.parse(stream.snapshot_at) : Date.parse(stream.started_at || stream.last_updated);
  if (board.serverNow() - seen > 2 * interval + 5000) return NEED.silent;
  return NEED.rest;
}

export function sortByNeed(streams, board) {
  return [...streams].sort(
    (a, b) => needOf(a, board) - needOf(b, board) || String(a.name).localeCompare(String(b.name)) || a.user_id - b.user_id,
  );
}

/** "Watch live" on a card: a player in the card with its state and "Stop watching". */
function mountWatch(card, stream, board) {
  const player = card.querySelector("[data-live-player]");
  const video = player.querySelector("video");
  const state = card.querySelector("[data-live-state]");
  const watchButton = card.querySelector("[data-watch]");
  const stopButton = card.querySelector("[data-watch-stop]");
  video.setAttribute("aria-label", `Live video of ${stream.name}`);
  const render = (viewer) => {
    const active = viewer && (viewer.state === "connecting" || viewer.state === "live");
    player.hidden = !viewer || viewer.state === "idle";
    card.classList.toggle("is-watching", Boolean(active));
    video.hidden = !active;
    state.dataset.state = viewer ? viewer.state : "idle";
    state.textContent = viewer ? viewer.message : "";
    watchButton.hidden = Boolean(active);
    stopButton.hidden = !active;
  };
  watchButton.addEventListener("click", () => {
    card.viewer?.dispose();
    const viewer = new LiveViewer(board, stream.user_id);
    card.viewer = viewer;
    viewer.on("change", () => render(viewer));
    viewer.start(video);
  });
  stopButton.addEventListener("click", () => card.viewer?.stop());
}

/** The board's notices, as the seed describes ("John Carter turned the camera on"): started
 * and ended cameras are collected for a moment and told in one toast per kind when several
 * arrive together ("3 cameras turned on"). A snapshot after a (re)connect tells nothing. */
export class CameraNotices {
  constructor({ windowMs = 800, notify = toast } = {}) {
    this.windowMs = windowMs;
    this.notify = notify;
    this.pending = { on: [], off: [], silent: [] };
    this.timer = null;
  }

  add(msg) {
    if (!msg || !msg.stream) return;
    let kind = msg.type === "stream.started" ? "on" : msg.type === "stream.ended" ? "off" : null;
    if (kind === "off" && msg.stream.ended_by === "timeout") kind = "silent";
    if (!kind) return;
    this.pending[kind].push(msg.stream.name || msg.stream.username || "A candidate");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.windowMs);
  }

  flush() {
    const one = { on: (n) => `${n} turned the camera on`, off: (n) => `${n} turned the camera off`, silent: (n) => `${n}'s camera went silent` };
    const many = { on: (k) => `${k} cameras turned on`, off: (k) => `${k} cameras turned off`, silent: (k) => `${k} cameras went silent` };
    for (const kind of ["on", "off", "silent"]) {
      const names = [...new Set(this.pending[kind])];
      this.pending[kind] = [];
      if (!names.length) continue;
      const text =
        names.length === 1
          ? one[kind](names[0])
          : `${many[kind](names.length)}: ${names.slice(0, 3).join(", ")}${names.length > 3 ? "…" : ""}`;
      this.notify(text, kind === "on" ? "ok" : kind === "silent" ? "warn" : "info");
    }
  }
}

/** The board's proctoring notices, grouped like the camera notices: raised hands, candidates'
 * messages, incidents that open, interviews ended. */
export class ProctorNotices {
  constructor({ windowMs = 800, notify = toast } = {}) {
    this.windowMs = windowMs;
    this.notify = notify;
    this.pending = { hand: [], incident: [], ended: [] };
    this.timer = null;
  }

  add(kind, text) {
    this.pending[kind].push(text);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.windowMs);
  }

  flush() {
    const one = { hand: (n) => `${n} raised a hand`, incident: (n) => `⚠ ${n}`, ended: (n) => n };
    const many = { hand: (k) => `${k} candidates raised a hand`, incident: (k) => `⚠ ${k} incidents opened`, ended: (k) => `${k} interviews ended` };
    for (const kind of ["hand", "incident", "ended"]) {
      const items = [...new Set(this.pending[kind])];
      this.pending[kind] = [];
      if (!items.length) continue;
      const text = items.length === 1 ? one[kind](items[0]) : `${many[kind](items.length)}: ${items.slice(0, 3).join(", ")}${items.length > 3 ? "…" : ""}`;
      this.notify(text, kind === "ended" ? "info" : "warn", 6000);
    }
  }
}

/** Render a LiveBoard into the page: cards sorted by need, the grid's size and page, the job
 * and "my candidates" filters, empty state, connection status, notices. */
export function mountLiveBoard(root, board) {
  const grid = root.querySelector("[data-board-grid]");
  const empty = root.querySelector("[data-board-empty]");
  const status = root.querySelector("[data-board-status]");
  const count = root.querySelector("[data-board-count]");
  const tiles = root.querySelector("[data-board-tiles]");
  const jobFilter = root.querySelector("[data-board-job]");
  const mine = root.querySelector("[data-board-mine]");
  const pager = root.querySelector("[data-board-pager]");
  const viewerId = Number(root.dataset.viewerId || 0);
  const notices = new CameraNotices();
  const proctorNotices = new ProctorNotices();
  let page = 0;

  function visible() {
    let streams = [...board.streams.values()];
    if (jobFilter && jobFilter.value) streams = streams.filter((s) => String(s.job_id) === jobFilter.value);
    if (mine && mine.checked) streams = streams.filter((s) => s.assigned_reviewer_id === viewerId);
    return sortByNeed(streams, board);
  }

  function renderJobs() {
    if (!jobFilter) return;
    const jobs = new Map();
    for (const s of board.streams.values()) if (s.job_id) jobs.set(String(s.job_id), s.job_title);
    const chosen = jobFilter.value;
    const have = [...jobFilter.options].map((o) => o.value).slice(1).join(",");
    const want = [...jobs.keys()].sort().join(",");
    if (have === want) return;
    jobFilter.replaceChildren(new Option("All jobs", ""), ...[...jobs.entries()].sort((a, b) => String(a[1]).localeCompare(String(b[1]))).map(([id, title]) => new Option(title, id)));
    jobFilter.value = jobs.has(chosen) ? chosen : "";
  }

  function render() {
    renderJobs();
    const size = Number(tiles ? tiles.value : 0) || Infinity;
    const streams = visible();
    const pages = Math.max(1, Math.ceil(streams.length / size));
    page = Math.min(page, pages - 1);
    const onPage = new Set(streams.slice(page * size, (page + 1) * size).map((s) => String(s.user_id)));
    const seen = new Set();
    for (const stream of board.streams.values()) {
      seen.add(String(stream.user_id));
      let card = grid.querySelector(`[data-user-id="${stream.user_id}"]`);
      if (!card) {
        card = cardFor(stream);
        mountWatch(card, stream, board);
        mountProctorTools(card, stream, board);
        grid.append(card);
      }
      fillCard(card, stream, board);
      card.hidden = !onPage.has(String(stream.user_id));
    }
    grid.querySelectorAll("[data-user-id]").forEach((card) => {
      if (!seen.has(card.dataset.userId)) {
        card.viewer?.dispose();
        card.remove();
      }
    });
    // Cards in order of need; moved only when the order changes (a moved video may pause).
    const order = streams.map((s) => String(s.user_id));
    const current = [...grid.querySelectorAll("[data-user-id]")].map((c) => c.dataset.userId).filter((id) => order.includes(id));
    if (order.join(",") !== current.join(",")) {
      for (const id of order) grid.append(grid.querySelector(`[data-user-id="${id}"]`));
    }
    const n = board.streams.size;
    empty.hidden = n > 0;
    grid.hidden = n === 0;
    if (tiles) grid.dataset.tiles = tiles.value;
    count.textContent = `${n} live camera${n === 1 ? "" : "s"}${streams.length !== n ? ` · ${streams.length} shown` : ""}`;
    if (pager) {
      pager.hidden = pages < 2;
      pager.querySelector("[data-page-label]").textContent = `Page ${page + 1} of ${pages}`;
      pager.querySelector("[data-page-prev]").disabled = page === 0;
      pager.querySelector("[data-page-next]").disabled = page >= pages - 1;
    }
  }

  tiles?.addEventListener("change", () => { page = 0; localStorage.setItem("invigil.board.tiles", tiles.value); render(); });
  if (tiles && localStorage.getItem("invigil.board.tiles")) tiles.value = localStorage.getItem("invigil.board.tiles");
  jobFilter?.addEventListener("change", () => { page = 0; render(); });
  mine?.addEventListener("change", () => { page = 0; render(); });
  pager?.querySelector("[data-page-prev]").addEventListener("click", () => { page -= 1; render(); });
  pager?.querySelector("[data-page-next]").addEventListener("click", () => { page += 1; render(); });
  board.addEventListener("incident", (e) => {
    const s = e.detail.stream;
    proctorNotices.add("incident", `${s.name}: ${s.incident.label}`);
  });
  board.addEventListener("refused", (e) => toast(e.detail.message, "warn"));
  board.addEventListener("message", (e) => {
    const msg = e.detail;
    if (msg.type === "hand.raised") proctorNotices.add("hand", msg.name);
    else if (msg.type === "interview.terminated") proctorNotices.add("ended", `The interview of ${msg.name} was ended: ${msg.reason}`);
    else if (msg.type === "message" && msg.from.side === "candidate") toast(`${msg.from.name}: ${msg.text.slice(0, 120)}`, "info", 6000);
  });

  function renderState() {
    const { state } = board;
    status.dataset.state = state;
    if (state === "live") status.textContent = "Connected — updates arrive live";
    else if (state === "connecting") status.textContent = "Connecting…";
    else if (state === "reconnecting") {
      const s = Math.max(0, Math.ceil((board.retryAt - Date.now()) / 1000));
      status.textContent = `Connection lost — reconnecting${s ? ` in ${s} s` : "…"}`;
    } else if (state === "signed-out") status.textContent = "Signed out — sign in again to see the board";
    else if (state === "forbidden") status.textContent = "Your account may not see the live board";
  }

  board.addEventListener("change", render);
  board.addEventListener("message", (e) => notices.add(e.detail));
  board.addEventListener("tick", () => {
    render();
    if (board.state === "reconnecting") renderState();
  });
  board.addEventListener("state", renderState);
  render();
  renderState();
  return { render };
}
