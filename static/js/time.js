// One time format on every page: the browser's locale, with seconds where seconds matter.
// Server-rendered times are <time datetime="…" data-format="…"> elements (templates/_time.html)
// that `localizeTimes` rewrites in the same format the scripts use.

const HM = { hour: "2-digit", minute: "2-digit" };
const HMS = { ...HM, second: "2-digit" };
const DAY = { day: "numeric", month: "short", year: "numeric" };

const formatters = new Map();
function formatter(options) {
  const key = JSON.stringify(options);
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(undefined, options));
  return formatters.get(key);
}

const asDate = (value) => (value instanceof Date ? value : new Date(value));

/** "19:16" or "19:16:05" (or "07:16:05 PM", as the browser's locale has it). */
export function formatTime(value, { seconds = false } = {}) {
  return formatter(seconds ? HMS : HM).format(asDate(value));
}

/** "23 Nov 2026". */
export function formatDate(value) {
  return formatter(DAY).format(asDate(value));
}

/** "23 Nov 2026, 19:16" (the date, then formatTime's text). */
export function formatDateTime(value, { seconds = false } = {}) {
  return `${formatDate(value)}, ${formatTime(value, { seconds })}`;
}

const FORMATS = {
  time: (d) => formatTime(d),
  "time-seconds": (d) => formatTime(d, { seconds: true }),
  date: (d) => formatDate(d),
  datetime: (d) => formatDateTime(d),
  "datetime-seconds": (d) => formatDateTime(d, { seconds: true }),
};

/** Rewrite every <time data-format> under root in the browser's locale. */
export function localizeTimes(root = document) {
  root.querySelectorAll("time[datetime][data-format]").forEach((el) => {
    const format = FORMATS[el.dataset.format];
    const when = new Date(el.getAttribute("datetime"));
    if (!format || Number.isNaN(when.getTime())) return;
    el.textContent = format(when);
    el.title = when.toISOString();
  });
}

/** A <time> element for scripts that build markup. */
export function timeElement(value, format = "time-seconds") {
  const el = document.createElement("time");
  el.setAttribute("datetime", asDate(value).toISOString());
  el.dataset.format = format;
  el.textContent = FORMATS[format](asDate(value));
  return el;
}
