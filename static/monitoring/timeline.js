// The review timeline: camera and screen captures side by side, grouped by minute, with the
// interview's events and incidents in the same rows. State lives in timeline-data.js,
// rendering in timeline-view.js; this module wires them to the page.

import { toast } from "../js/toast.js";
import { TimelineData } from "./timeline-data.js";
import { TimelineView, TimelineViewer } from "./timeline-view.js";

export function mountTimeline(root, config) {
  const data = new TimelineData({ applicationId: config.applicationId, pageSize: config.pageSize });
  const view = new TimelineView(root, data, {
    labels: config.labels,
    candidateId: config.candidateId,
    viewer: config.viewer,
  });
  const viewer = new TimelineViewer(document.querySelector("[data-viewer]"), data, view, { toast });
  const open = (id) => viewer.open(id);

  data.on("change", () => view.render(open));
  data.on("loading", () => view.renderLoading());
  data.on("loaded", () => view.renderLoading());
  data.on("integrity", () => view.renderIntegrity(document.querySelector("[data-integrity]")));
  data.on("error", (e) => toast(e.detail.message, "error"));
  data.signer.on("error", (e) => toast(e.detail.message, "error"));

  root.querySelector("[data-more]").addEventListener("click", () => data.loadPage());
  const flaggedToggle = document.querySelector("[data-flagged-only]");
  flaggedToggle?.addEventListener("change", () => data.setFlaggedOnly(flaggedToggle.checked));

  data.loadAll();
  return { state: data, data, view, viewer, loadPage: () => data.loadPage(), openViewer: open };
}
