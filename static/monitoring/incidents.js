// An incident in the reader's own words and time zone, from its fields (type, label,
// started_at, ended_at, ongoing, frame_count): the same sentences as the stored reason, whose
// times are in UTC for the CSV and the logs (monitoring/integrity/rules.py `describe`).

import { formatTime } from "../js/time.js";

const hms = (iso) => formatTime(iso, { seconds: true });

/** "45 s", "3 min 9 s" — as the server says it. */
export function duration(seconds) {
  const s = Math.round(seconds);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Incidents of one instant (monitoring/integrity/rules.py INSTANT_KINDS). */
const INSTANT = new Set(["identity_changed_since", "virtual_camera"]);

/** Frame incidents are runs of flagged camera frames; the others are spans of time. */
const isFrameRun = (incident) => incident.frame_count > 0 && incident.type !== "late_upload";

/** "No face visible from 16:04:13 to 16:05:20, 3 frames" in the browser's zone and format. */
export function incidentText(incident, { label = incident.label || incident.type, interval = null } = {}) {
  const start = incident.started_at;
  const end = incident.ended_at;
  if (isFrameRun(incident)) {
    const n = incident.frame_count;
    const span = incident.ongoing ? `from ${hms(start)} (ongoing)` : `from ${hms(start)} to ${hms(end)}`;
    return `${label} ${span}, ${n} frame${n === 1 ? "" : "s"}`;
  }
  if (INSTANT.has(incident.type)) return `${label} at ${hms(start)}`;
  if (incident.type === "late_upload") {
    return `Captures from ${formatTime(start)}–${formatTime(end)} arrived late — network outage?`;
  }
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000; // from the times: rounded once
  const span = incident.ongoing ? `since ${hms(start)}` : `from ${hms(start)} to ${hms(end)}`;
  const every = incident.type === "snapshot_gap" && interval ? `; expected every ${interval} s` : "";
  return `${label} ${span} (${duration(seconds)}${every})`;
}

/** "Asia/Tokyo (UTC+09:00)": the zone this page shows its times in. */
export function zoneName(date = new Date()) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? "−" : "+";
  const abs = Math.abs(minutes);
  const offset = `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return zone === "UTC" ? "UTC" : `${zone} (${offset})`;
}
