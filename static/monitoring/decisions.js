// The reviewer's tools on the review timeline (templates/monitoring/timeline.html): a verdict
// on an incident, a note pinned to a minute or a capture, and the decision panel (record a
// decision, confirm a colleague's as the second reviewer). Every word of an outcome, state or
// verdict comes from the server (`decisions` in the page's json_script config).

import { formatDateTime } from "../js/time.js";
import { getJSON, requestJSON } from "../js/http.js";
import { incidentText } from "./incidents.js";

/** A <dialog> with a form: open(fill) resolves with the form's data, or null when cancelled. */
class FormDialog {
  constructor(dialog) {
    this.dialog = dialog;
    this.form = dialog.querySelector("form");
    this._resolve = null;
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(this.form));
      this.dialog.close();
      this._settle(data);
    });
    dialog.querySelector("[data-dialog-cancel]").addEventListener("click", () => this.dialog.close());
    dialog.addEventListener("close", () => this._settle(null));
  }

  _settle(value) {
    const resolve = this._resolve;
    this._resolve = null;
    if (resolve) resolve(value);
  }

  open(fill) {
    this.form.reset();
    fill(this.form);
    this.dialog.showModal();
    return new Promise((resolve) => { this._resolve = resolve; });
  }
}

export class VerdictDialog extends FormDialog {
  constructor(dialog, data, { labels, toast }) {
    super(dialog);
    this.data = data;
    this.labels = labels;
    this.toast = toast;
  }

  async ask(incident, verdict) {
    const answer = await this.open((form) => {
      this.dialog.querySelector("[data-verdict-incident]").textContent = incidentText(incident, {
        label: this.labels.incidents[incident.type] || incident.type,
      });
      form.querySelector(`input[name="verdict"][value="${verdict}"]`).checked = true;
      form.elements.note.value = incident.verdict_note || "";
    });
    if (!answer) return;
    try {
      await this.data.setVerdict(incident.id, { verdict: answer.verdict, note: answer.note || "" });
      this.toast(answer.verdict === "dismissed" ? "Dismissed: it no longer counts toward the reviewed score." : "Confirmed.", "ok");
    } catch (err) {
      this.toast(`Could not save the verdict: ${err.message}`, "error");
    }
  }
}

export class NoteDialog extends FormDialog {
  constructor(dialog, data, { toast }) {
    super(dialog);
    this.data = data;
    this.toast = toast;
  }

  async ask({ at = null, imageId = null }) {
    const item = imageId ? this.data.byId.get(imageId) : null;
    const answer = await this.open(() => {
      this.dialog.querySelector("[data-note-where]").textContent = item
        ? `On the ${item.image_type === "camera" ? "camera snapshot" : "screen capture"} of ${formatDateTime(item.timestamp, { seconds: true })}`
        : `At ${formatDateTime(at)}`;
    });
    if (!answer || !answer.text.trim()) return;
    try {
      await this.data.addNote({ text: answer.text.trim(), at: item ? null : at, imageId });
      this.toast("Note pinned to the record.", "ok");
    } catch (err) {
      this.toast(`Could not pin the note: ${err.message}`, "error");
    }
  }
}

/** The decision in force, the form to record one, and the second reviewer's button. */
export class DecisionPanel {
  constructor(root, { applicationId, viewer, labels, toast }) {
    this.root = root;
    this.api = `/api/applications/${applicationId}`;
    this.viewer = viewer;
    this.labels = labels; // {outcomes, states}
    this.toast = toast;
    this.decision = null;
    this.response = null;
    this.form = root.querySelector("[data-decision-form]");
    this.confirmButton = root.querySelector("[data-decision-confirm]");
    this.form?.addEventListener("submit", (e) => { e.preventDefault(); this.record(); });
    this.confirmButton.addEventListener("click", () => this.confirm());
  }

  async load() {
    try {
      const application = await getJSON(`${this.api}/`);
      this.decision = application.decision;
      this.response = application.response; // the candidate's answer, if any
    } catch (err) {
      this.toast(`Could not load the decision: ${err.message}`, "error");
      return;
    }
    this.render();
  }

  async record() {
    const data = Object.fromEntries(new FormData(this.form));
    try {
      this.decision = await requestJSON(`${this.api}/decision/`, {
        method: "POST",
        body: { outcome: data.outcome, reason: (data.reason || "").trim() },
      });
    } catch (err) {
      this.toast(`Could not record the decision: ${err.message}`, "error");
      return;
    }
    this.form.reset();
    this.toast(this.decision.state === "final" ? "Decision recorded." : "Decision recorded: it waits for a second reviewer.", "ok");
    this.render();
  }

  async confirm() {
    try {
      this.decision = await requestJSON(`${this.api}/decision/confirm/`, { method: "POST" });
    } catch (err) {
      this.toast(`Could not confirm: ${err.message}`, "error");
      return;
    }
    this.toast("Decision confirmed: it is final.", "ok");
    this.render();
  }

  render() {
    const box = this.root.querySelector("[data-decision-current]");
    const d = this.decision;
    this.root.dataset.state = d ? d.state : "none";
    this.confirmButton.hidden = !(d && d.state === "pending_second_review" && (!d.by || d.by.id !== this.viewer.id));
    const answer = this._answer();
    if (!d) {
      const p = document.createElement("p");
      p.className = "muted";
      p.dataset.decisionNone = "";
      p.textContent = "No decision yet.";
      box.replaceChildren(p, ...answer);
      return;
    }
    const head = document.createElement("p");
    const outcome = document.createElement("strong");
    outcome.className = `outcome outcome-${d.outcome}`;
    outcome.dataset.decisionOutcome = d.outcome;
    outcome.textContent = this.labels.outcomes[d.outcome] || d.outcome;
    const state = document.createElement("span");
    state.className = `chip decision-state decision-${d.state}`;
    state.dataset.decisionState = d.state;
    state.textContent = this.labels.states[d.state] || d.state;
    head.append(outcome, " ", state);
    const reason = document.createElement("p");
    reason.dataset.decisionReason = "";
    reason.textContent = d.reason;
    const who = document.createElement("p");
    who.className = "small muted";
    const parts = [`Decided by ${d.by ? d.by.name : "a deleted account"}, ${formatDateTime(d.at)}`];
    if (d.confirmed_by) parts.push(`confirmed by ${d.confirmed_by.name}, ${formatDateTime(d.confirmed_at)}`);
    if (d.state === "pending_second_review") {
      parts.push(d.by && d.by.id === this.viewer.id ? "waiting for another reviewer to confirm it" : "waiting for a second reviewer: you may confirm it");
    }
    if (d.state === "reopened") parts.push(`reopened ${formatDateTime(d.reopened_at)}: ${d.reopened_because} — decide again`);
    if (d.after_response) {
      const kept = d.previous_outcome === d.outcome;
      parts.push(`after the candidate's answer: ${kept ? "kept" : `changed from ${this.labels.outcomes[d.previous_outcome] || d.previous_outcome}`}`);
    }
    who.textContent = parts.join(" · ");
    box.replaceChildren(head, reason, who, ...answer);
  }

  /** The candidate's answer, and whether a decision after it is still to be recorded. */
  _answer() {
    if (!this.response) return [];
    const p = document.createElement("p");
    p.className = "candidate-answer";
    p.dataset.candidateAnswer = "";
    const who = document.createElement("strong");
    who.textContent = `The candidate answered (${formatDateTime(this.response.at)}): `;
    p.append(who, this.response.text);
    if (this.decision && !this.decision.after_response) {
      const badge = document.createElement("span");
      badge.className = "chip response-badge";
      badge.dataset.responseBadge = "";
      badge.textContent = "Record the decision after the answer (kept or changed, with a reason)";
      p.append(" ", badge);
    }
    return [p];
  }
}
