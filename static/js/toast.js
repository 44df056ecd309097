// Toasts: short, polite announcements (the container is an aria-live region in base.html).

import { t } from "./i18n.js";

const MAX_SHOWN = 3;

export function toast(message, kind = "info", ms = 4000) {
  const host = document.getElementById("toasts");
  if (!host) return;
  const el = document.createElement("div");
  el.className = `toast toast-${kind}`;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  el.textContent = message;
  host.appendChild(el);
  // The band keeps the newest few: it takes room from the page, so it stays small.
  while (host.children.length > MAX_SHOWN) host.firstElementChild.remove();
  setTimeout(() => el.remove(), ms);
}

export function timeAgo(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return t("just now");
  if (s < 60) return t("{count} s ago", { count: s });
  const m = Math.floor(s / 60);
  return m < 60 ? t("{count} min ago", { count: m }) : t("{count} h ago", { count: Math.floor(m / 60) });
}
