// The review timeline's live proctoring (templates/monitoring/timeline.html): the interview's
// conversation as it happens, a message or a warning to the candidate, and ending the
// interview with a reason. Messages go over the timeline's socket
// (/ws/monitoring/timeline/<id>/, monitoring/consumers.py); ending is POST …/terminate/.

import { backoffDelay } from "../js/backoff.js";
import { postJSON } from "../js/http.js";
import { toast } from "../js/toast.js";
import { wsUrl } from "../js/ws.js";

const root = document.querySelector("[data-proctor]");
const config = JSON.parse(document.getElementById("timeline-config").textContent);

function clock(iso) {
  const d = new Date(iso);
  return `${d.toISOString().slice(11, 19)} UTC`;
}

/** One line of the log, as templates/monitoring/_proctor_log.html writes it. */
export function logLine(msg) {
  const li = document.createElement("li");
  const time = document.createElement("time");
  const at = msg.sent_at || msg.at;
  time.dateTime = at;
  time.textContent = clock(at);
  const who = document.createElement("strong");
  let rest = "";
  if (msg.type === "message" && msg.warning) {
    li.className = "is-warning";
    li.dataset.kind = "warning";
    who.textContent = "Warning";
    rest = ` from ${msg.from.name}: ${msg.text}`;
  } else if (msg.type === "message") {
    li.dataset.kind = "message";
    who.textContent = msg.from.name;
    rest = ` (${msg.from.side}): ${msg.text}`;
  } else if (msg.type === "hand.raised") {
    li.className = "is-hand";
    li.dataset.kind = "hand_raised";
    who.textContent = msg.name;
    rest = " raised a hand";
  } else if (msg.type === "hand.lowered") {
    li.className = "is-hand";
    li.dataset.kind = "hand_lowered";
    who.textContent = msg.by === "reviewer" ? msg.by_name : msg.name;
    rest = msg.by === "reviewer" ? " answered the raised hand" : " lowered the hand";
  } else if (msg.type === "interview.terminated") {
    li.className = "is-end";
    li.dataset.kind = "terminated";
    who.textContent = "Interview ended by a reviewer";
    rest = `: ${msg.reason}`;
  } else {
    return null;
  }
  li.append(time, " · ", who, rest);
  return li;
}

function mount() {
  if (!root) return;
  const log = root.querySelector("[data-proctor-log]");
  const form = root.querySelector("[data-proctor-form]");
  const warn = root.querySelector("[data-proctor-warn]");
  const end = root.querySelector("[data-proctor-end]");
  const seen = new Set();
  let socket = null;
  let attempt = 0;

  function append(msg) {
    if (msg.type === "message") {
      if (seen.has(msg.id)) return;
      seen.add(msg.id);
    }
    const li = logLine(msg);
    if (!li) return;
    log.querySelector("[data-proctor-empty]")?.remove();
    log.append(li);
  }

  function connect() {
    socket = new WebSocket(wsUrl(`/ws/monitoring/timeline/${config.applicationId}/`));
    const mine = socket;
    mine.addEventListener("open", () => {
      attempt = 0;
      root.dataset.state = "live"; // messages can go now
    });
    mine.addEventListener("message", (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "error" && msg.refused) toast(msg.message, "warn");
      else if (msg.type === "interview.terminated") {
        append(msg);
        form?.remove();
        end?.remove();
      } else append(msg);
    });
    mine.addEventListener("close", (e) => {
      if (socket !== mine) return;
      root.dataset.state = "offline";
      if (e.code === 4401 || e.code === 4403) return;
      attempt += 1;
      setTimeout(connect, backoffDelay(attempt));
    });
  }

  function send(text, warning = false) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      toast("Not connected; try again in a moment.", "warn");
      return false;
    }
    socket.send(JSON.stringify({ type: "message.send", text, warning }));
    return true;
  }

  form?.addEventListener("submit", (e) => {
    e.preventDefault();
    const input = form.querySelector("textarea");
    const text = input.value.trim();
    if (text && send(text)) input.value = "";
  });
  warn?.addEventListener("change", () => {
    if (warn.value && send(warn.value, true)) toast("Warning sent.", "ok");
    warn.value = "";
  });
  end?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = end.querySelector("input").value.trim();
    if (!reason) return;
    try {
      await postJSON(`/api/applications/${config.applicationId}/terminate/`, { reason });
      toast("The interview was ended.", "ok");
    } catch (err) {
      toast(err.message, "error");
    }
  });
  connect();
}

mount();
