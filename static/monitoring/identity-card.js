// The reviewer's identity card on the review timeline (templates/monitoring/timeline.html):
// the references side by side, the ID photo's distance to the selfie, the camera frames
// compared and matching, the candidate's earlier interviews, and the decision — confirm or
// reject with a note. Reads GET …/identity/ (its signed photo links are audited server-side);
// every word comes from the page's configuration.

import { getJSON, postJSON } from "../js/http.js";
import { formatDateTime } from "../js/time.js";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const fixed = (value) => (value === null || value === undefined ? "–" : Number(value).toFixed(2));

export class IdentityCard {
  constructor(root, { applicationId, identity, toast }) {
    this.root = root;
    this.url = `/api/applications/${applicationId}/identity/`;
    this.config = identity;
    this.labels = identity.labels;
    this.toast = toast;
    this.answer = null;
    this.timer = null;
    this.form = root.querySelector("[data-identity-form]");
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.decide(e.submitter ? e.submitter.value : "confirmed");
    });
  }

  /** Read again soon (the incidents changed): at most once every few seconds. */
  refreshSoon(ms = 3000) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.load();
    }, ms);
  }

  async load() {
    try {
      this.answer = await getJSON(this.url);
      this.render();
    } catch (err) {
      this.toast && this.toast(err.message, "error");
    }
  }

  async decide(decision) {
    if (decision === "rejected" && !window.confirm(this.labels.askReject)) return;
    const note = this.root.querySelector("[data-identity-note]").value.trim();
    this.form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      await postJSON(`${this.url}confirm/`, { decision, note });
      this.root.querySelector("[data-identity-note]").value = "";
      this.toast && this.toast(this.labels[decision], "ok");
      await this.load();
    } catch (err) {
      this.toast && this.toast(err.message, "error");
    } finally {
      this.form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  }

  render() {
    const a = this.answer;
    const L = this.labels;
    this.root.querySelector("[data-identity-loading]").hidden = true;
    const chip = this.root.querySelector("[data-identity-state]");
    chip.textContent = this.config.states[a.state] || a.state;
    chip.className = `identity-chip identity-${a.state}`;
    chip.dataset.identityState = a.state;
    this.root.dataset.state = a.state;

    // References side by side: the current selfie and document.
    const refs = this.root.querySelector("[data-identity-references]");
    const withDocument = this.config.check === "selfie_and_document" || a.references.some((r) => r.kind === "document");
    const kinds = withDocument ? ["selfie", "document"] : ["selfie"];
    refs.replaceChildren(...kinds.map((kind) => {
      const current = a.references.filter((r) => r.kind === kind && r.current)[0];
      const older = a.references.filter((r) => r.kind === kind && !r.current).length;
      const figure = document.createElement("figure");
      figure.className = "identity-reference";
      figure.dataset.kind = kind;
      const caption = document.createElement("figcaption");
      caption.className = "small";
      if (current && current.url) {
        const img = document.createElement("img");
        img.src = current.url;
        img.alt = `${L[kind]}, ${formatDateTime(current.created_at)}`;
        img.dataset.referenceId = current.id;
        figure.append(img);
        caption.textContent = `${L[kind]} · ${formatDateTime(current.created_at)}${older ? ` · ${older} ${L.replaced}` : ""}`;
      } else {
        const empty = document.createElement("div");
        empty.className = "identity-reference-empty small muted";
        if (current && current.photo_deleted_at) empty.textContent = fill(L.photoDeleted, { days: this.config.documentRetentionDays });
        else empty.textContent = L.missing;
        figure.append(empty);
        caption.textContent = L[kind];
      }
      figure.append(caption);
      return figure;
    }));

    // The numbers.
    const stats = [];
    if (a.document_match) stats.push([L.documentMatch, `${fixed(a.document_match.distance)} — ${a.document_match.matches ? L.samePerson : L.notSamePerson}`, a.document_match.matches ? "ok" : "bad"]);
    stats.push([L.framesChecked, `${a.frames_checked} · ${a.frames_matching} ${L.framesMatching}`, a.frames_checked > a.frames_matching ? "bad" : ""]);
    stats.push([L.lastDistance, fixed(a.last_distance), ""]);
    stats.push([L.threshold, fixed(a.threshold), ""]);
    this.root.querySelector("[data-identity-stats]").replaceChildren(...stats.map(([term, value, tone]) => {
      const row = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      if (tone) dd.dataset.tone = tone;
      row.append(dt, dd);
      return row;
    }));

    this.root.querySelector("[data-identity-earlier]").replaceChildren(...a.earlier_interviews.map((other) => {
      const li = document.createElement("li");
      li.dataset.tone = other.matches ? "ok" : "bad";
      const link = document.createElement("a");
      link.href = `/console/applications/${other.application_id}/`;
      link.textContent = `${L.earlier}: ${other.job}, ${formatDateTime(other.date)}`;
      li.append(link, ` — ${fixed(other.distance)} (${other.matches ? L.samePerson : L.notSamePerson})`);
      return li;
    }));

    const decided = this.root.querySelector("[data-identity-decision]");
    if (a.decision) {
      decided.textContent = fill(L.decision, {
        decision: L[a.decision],
        by: a.confirmed_by ? a.confirmed_by.name || a.confirmed_by.username : "—",
        at: formatDateTime(a.confirmed_at),
      }) + (a.note ? `: “${a.note}”` : "");
    } else {
      decided.textContent = L.noDecision;
    }
  }
}
