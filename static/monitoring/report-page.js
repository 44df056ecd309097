// The printable report: incidents in the reader's zone (the stored UTC wording stays on
// hover), the zone named, and a button for the browser's print dialog ("Save as PDF").

import { incidentText, zoneName } from "./incidents.js";

for (const row of document.querySelectorAll("tr[data-incident]")) {
  const d = row.dataset;
  const text = incidentText({
    type: d.type,
    started_at: d.started,
    ended_at: d.ended,
    ongoing: d.ongoing === "1",
    frame_count: Number(d.frames),
  }, { label: d.label });
  row.querySelector("[data-reason]").textContent = text;
}
const zone = document.querySelector("[data-report-zone]");
if (zone) zone.textContent = `shown in ${zoneName()}`;
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
