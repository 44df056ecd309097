// The live board: a card per live camera, pushed over /ws/camera/streams/.
//
// On every (re)connect the server sends a full snapshot, so a missed message heals itself.
// Cards also expire on the board when their last heartbeat is older than the timeout, even
// if no `stream.ended` arrives (no sweeper running, or a lost message).

import { backoffDelay } from "../js/backoff.js";
import { Emitter } from "../js/emitter.js";
import { timeAgo, toast } from "../js/toast.js";
import { formatTime } from "../js/time.js";
import { wsUrl } from "../js/ws.js";
import { LiveViewer } from "./live.js";

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

  _onMessage(msg) {
    if (typeof msg.type === "string" && msg.type.startsWith("watch.")) {
      this.emit("message", msg); // live video (live.js); the cards do not change
      return;
    }
    if (msg.type === "snapshot") {
      clearTimeout(this._watchdog);
      this.attempt = 0;
      if (this.state !== "live") this._setState("live");
      this.timeoutMs = (msg.timeout || 30) * 1000;
      if (msg.server_time) this.clockOffsetMs = Date.parse(msg.server_time) - Date.now();
      this.streams = new Map(msg.streams.map((s) => [s.user_id, s]));
    } else if (msg.type === "stream.started" || msg.type === "stream.updated") {
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
        if (e.target.closest("a, button, video, [data-live-player]")) return;
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

/** Render a LiveBoard into the page: cards, empty state, connection status. */
export function mountLiveBoard(root, board) {
  const grid = root.querySelector("[data-board-grid]");
  const empty = root.querySelector("[data-board-empty]");
  const status = root.querySelector("[data-board-status]");
  const count = root.querySelector("[data-board-count]");
  const notices = new CameraNotices();

  function render() {
    const seen = new Set();
    for (const stream of board.streams.values()) {
      seen.add(String(stream.user_id));
      let card = grid.querySelector(`[data-user-id="${stream.user_id}"]`);
      if (!card) {
        card = cardFor(stream);
        mountWatch(card, stream, board);
        grid.prepend(card);
      }
      fillCard(card, stream, board);
    }
    grid.querySelectorAll("[data-user-id]").forEach((card) => {
      if (!seen.has(card.dataset.userId)) {
        card.viewer?.dispose();
        card.remove();
      }
    });
    const n = board.streams.size;
    empty.hidden = n > 0;
    grid.hidden = n === 0;
    count.textContent = `${n} live camera${n === 1 ? "" : "s"}`;
  }

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
