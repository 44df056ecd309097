// The review timeline: camera and screen captures side by side, grouped by minute, with the
// interview's events and incidents in the same rows. State lives in timeline-data.js,
// rendering in timeline-view.js; this module wires them to the page.

import { listKeys } from "../js/listkeys.js";
import { toast } from "../js/toast.js";
import { DecisionPanel, NoteDialog, VerdictDialog } from "./decisions.js";
import { IdentityCard } from "./identity-card.js";
import { TimelineData } from "./timeline-data.js";
import { TimelineLive } from "./timeline-live.js";
import { TimelineView, TimelineViewer } from "./timeline-view.js";

export function mountTimeline(root, config) {
  const data = new TimelineData({ applicationId: config.applicationId, pageSize: config.pageSize });
  const view = new TimelineView(root, data, {
    labels: config.labels,
    candidateId: config.candidateId,
    viewer: config.viewer,
    countHints: config.countHints,
    decisions: config.decisions,
  });
  const viewer = new TimelineViewer(document.querySelector("[data-viewer]"), data, view, { toast });
  const open = (id) => viewer.open(id);
  // j / k through the incidents; Enter opens the first frame of one (or, without frames,
  // moves to its verdict buttons).
  listKeys({
    items: () => [...document.querySelectorAll("[data-incidents] > li")],
    open: (li) => {
      const incident = data.incidents.find((i) => String(i.id) === li.dataset.incidentId);
      const first = incident && incident.image_ids.find((id) => data.byId.has(id));
      if (first !== undefined) open(first);
      else li.querySelector("button")?.focus();
    },
  });

  // The reviewer's tools: verdicts on incidents, notes, the decision.
  const verdicts = new VerdictDialog(document.querySelector("[data-verdict-dialog]"), data, { labels: config.labels, toast });
  const notes = new NoteDialog(document.querySelector("[data-note-dialog]"), data, { toast });
  view.onVerdict = (incident, verdict) => verdicts.ask(incident, verdict);
  view.onNote = (where) => notes.ask(where);
  const decision = new DecisionPanel(document.querySelector("[data-decision-panel]"), {
    applicationId: config.applicationId,
    viewer: config.viewer,
    labels: config.decisions,
    toast,
  });
  data.on("verdict", () => decision.load()); // a changed verdict reopens the decision
  data.on("decision-changed", () => decision.load());
  decision.load();

  data.on("change", () => view.render(open));
  data.on("loading", () => view.renderLoading());
  data.on("loaded", () => view.renderLoading());
  data.on("integrity", () => view.renderIntegrity(document.querySelector("[data-integrity]")));
  // The identity card (where the organization checks identity) follows the incidents.
  const cardRoot = document.querySelector("[data-identity-card]");
  const identity = cardRoot && config.identity
    ? new IdentityCard(cardRoot, { applicationId: config.applicationId, identity: config.identity, toast })
    : null;
  if (identity) {
    identity.load();
    data.on("integrity", () => identity.refreshSoon());
  }
  data.on("captures-changed", (e) => e.detail.ids.forEach((id) => view.forget(id)));
  data.on("error", (e) => toast(e.detail.message, "error"));
  data.signer.on("error", (e) => toast(e.detail.message, "error"));

  root.querySelector("[data-more]").addEventListener("click", () => data.loadPage());
  const flaggedToggle = document.querySelector("[data-flagged-only]");
  flaggedToggle?.addEventListener("change", () => data.setFlaggedOnly(flaggedToggle.checked));

  // An interview in progress: new captures, events and incidents appear as they happen.
  let live = null;
  if (config.inProgress) {
    live = new TimelineLive(data, { applicationId: config.applicationId });
    const badge = document.querySelector("[data-live-updates]");
    live.on("state", (e) => {
      if (!badge) return;
      badge.hidden = false;
      badge.dataset.state = e.detail.state;
      badge.textContent = {
        live: "Updating live",
        reconnecting: "Live updates paused — reconnecting…",
        off: "Live updates off — reload the page",
        connecting: "Connecting…",
      }[e.detail.state];
    });
    live.connect();
  }

  data.loadAll();
  return { state: data, data, view, viewer, live, decision, identity, loadPage: () => data.loadPage(), openViewer: open };
}
