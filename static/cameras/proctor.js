// Live proctoring, the candidate's side: messages both ways, a raised hand, and the word that
// a reviewer ended the interview — on a presence socket of its own (/ws/camera/presence/), open
// for as long as the page is (the camera's socket lives only while the camera is on). What
// reviewers wrote while the page was closed arrives when it connects.
//
//   const link = new ProctorLink({ applicationId: 7, history: [...] });
//   link.on("change", render);  link.on("terminated", (e) => ...);  link.connect();
//   link.send("text");  link.raiseHand();  link.lowerHand();

import { backoffDelay } from "../js/backoff.js";
import { Emitter } from "../js/emitter.js";
import { t } from "../js/i18n.js";
import { wsUrl } from "../js/ws.js";
import { PRESENCE_PATH } from "./camera.js";

export const MESSAGE_MAX_CHARS = 1000;

// What a refusal of the socket says to the candidate, by its code (the server's message, in
// the server's words, where the code is not listed).
const REFUSED = {
  rate_limited: () => t("You are sending messages too fast; wait a moment."),
  too_long: () => t("The message is too long."),
  invalid: () => t("The message could not be sent."),
  not_visible: () => t("You have no interview under way to write about."),
};

export class ProctorLink extends Emitter {
  constructor({ applicationId, history = [], handRaised = false, url = wsUrl(PRESENCE_PATH) }) {
    super();
    this.applicationId = applicationId;
    this.url = url;
    this.messages = new Map(); // id → message, oldest first
    history.filter((m) => m.type === "message").forEach((m) => this.messages.set(m.id, m));
    this.handRaised = handRaised;
    this.socket = null;
    this.attempt = 0;
    this.closed = false;
    this.state = "connecting";
  }

  connect() {
    if (this.socket || this.closed || typeof WebSocket === "undefined") return;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.state = "live";
      this.notify("change");
    });
    socket.addEventListener("message", (e) => this._onMessage(JSON.parse(e.data)));
    socket.addEventListener("close", (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.state = "offline";
      this.notify("change");
      if (this.closed || e.code === 4401) return;
      this.attempt += 1;
      setTimeout(() => this.connect(), backoffDelay(this.attempt));
    });
  }

  close() {
    this.closed = true;
    if (this.socket) this.socket.close();
  }

  _mine(msg) {
    return !msg.application_id || msg.application_id === this.applicationId;
  }

  _onMessage(msg) {
    if (msg.type === "message" && this._mine(msg)) {
      const isNew = !this.messages.has(msg.id);
      this.messages.set(msg.id, msg);
      if (isNew) this.notify("message", msg);
    } else if ((msg.type === "hand.raised" || msg.type === "hand.lowered") && this._mine(msg)) {
      this.handRaised = msg.type === "hand.raised";
      this.notify("hand", msg);
    } else if (msg.type === "interview.terminated" && this._mine(msg)) {
      this.emit("terminated", msg);
    } else if (msg.type === "error" && msg.refused) {
      this.notify("refused", msg);
    }
  }

  _send(msg) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify({ ...msg, application_id: this.applicationId }));
    return true;
  }

  send(text) {
    return this._send({ type: "message.send", text });
  }

  raiseHand() {
    return this._send({ type: "hand.raise" });
  }

  lowerHand() {
    return this._send({ type: "hand.lower" });
  }
}

/** A short, soft tone for an incoming message (no file to load; WebAudio). */
function chime() {
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    const ctx = chime.ctx || (chime.ctx = new Ctx());
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  } catch {
    // no sound: the message still shows
  }
}

export function formatClock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** One line of a conversation: who, when, what (a warning marked as such). */
export function messageItem(msg, { selfSide }) {
  const li = document.createElement("li");
  li.className = `chat-line from-${msg.from.side}${msg.warning ? " is-warning" : ""}`;
  li.dataset.messageId = msg.id;
  const head = document.createElement("p");
  head.className = "chat-meta small";
  const who = msg.from.side === selfSide ? t("You") : msg.from.name;
  const time = document.createElement("time");
  time.dateTime = msg.sent_at;
  time.textContent = formatClock(msg.sent_at);
  head.append(`${msg.warning ? t("Warning from {name}", { name: who }) : who} · `, time);
  const body = document.createElement("p");
  body.className = "chat-text";
  body.textContent = msg.text;
  li.append(head, body);
  return li;
}

/** The message panel of the interview page (templates/monitoring/interview_detail.html). */
export function mountMessagePanel(root, link, { labels = {}, toast } = {}) {
  const list = root.querySelector("[data-chat-list]");
  const empty = root.querySelector("[data-chat-empty]");
  const form = root.querySelector("[data-chat-form]");
  const input = form.querySelector("textarea");
  const mute = root.querySelector("[data-chat-mute]");
  const hand = root.querySelector("[data-hand]");
  const state = root.querySelector("[data-chat-state]");
  let muted = localStorage.getItem("invigil.chat.muted") === "1";

  function render() {
    const seen = new Set([...list.children].map((li) => li.dataset.messageId));
    for (const msg of link.messages.values()) {
      if (!seen.has(String(msg.id))) list.append(messageItem(msg, { selfSide: "candidate" }));
    }
    empty.hidden = link.messages.size > 0;
    mute.setAttribute("aria-pressed", String(muted));
    mute.textContent = muted ? labels.soundOff || "Sound off" : labels.soundOn || "Sound on";
    hand.setAttribute("aria-pressed", String(link.handRaised));
    hand.textContent = link.handRaised ? labels.lowerHand || "Lower hand" : labels.raiseHand || "Raise hand";
    hand.classList.toggle("btn-attention", link.handRaised);
    state.textContent = link.state === "offline" ? labels.offline || t("Reconnecting…") : "";
    list.scrollTop = list.scrollHeight;
  }

  link.on("change", render);
  link.on("message", (e) => {
    if (e.detail.from.side !== "candidate") {
      if (!muted) chime();
      if (!toast) return;
      if (e.detail.warning) toast(`${labels.warning || "Warning"}: ${e.detail.text}`, "warn", 8000);
      else toast(`${e.detail.from.name}: ${e.detail.text.slice(0, 140)}`, "info", 6000);
    }
  });
  link.on("hand", (e) => {
    if (e.detail.type === "hand.lowered" && e.detail.by === "reviewer" && toast) {
      toast(`${e.detail.by_name || t("A reviewer")} ${labels.answered || t("answered your raised hand.")}`, "ok");
    }
  });
  link.on("refused", (e) => toast && toast(REFUSED[e.detail.code] ? REFUSED[e.detail.code]() : e.detail.message, "warn"));
  mute.addEventListener("click", () => {
    muted = !muted;
    localStorage.setItem("invigil.chat.muted", muted ? "1" : "0");
    render();
  });
  hand.addEventListener("click", () => {
    const sent = link.handRaised ? link.lowerHand() : link.raiseHand();
    if (!sent && toast) toast(labels.offline || t("Reconnecting…"), "warn");
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (link.send(text)) input.value = "";
    else if (toast) toast(labels.offline || t("Reconnecting…"), "warn");
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  render();
  return { render };
}
