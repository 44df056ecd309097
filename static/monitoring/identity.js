// The candidate's identity step (templates/monitoring/interview_detail.html): a reference
// photo of their face, then — where the organization asks — their ID document, each taken
// from the camera and judged by the server, whose answer guides the next try (face found?
// one face? light? close enough?). Recording never waits for it: the candidate may postpone
// it, and the page reminds them until it is done.
//
//   mountIdentityStep(root, { camera, video, applicationId, identity: config.identity });

import { ApiError, postJSON } from "../js/http.js";
import { captureFrame, dataUrlToBlob } from "./client.js";

// Which check a refusal names (the server's codes, DESIGN.md "Identity").
const FAILED_CHECK = { no_face: "face_found", several_faces: "one_face", too_dark: "light", face_too_small: "size" };
const CHECKS = ["face_found", "one_face", "light", "size"];
const CHECK_LABELS = { face_found: "faceFound", one_face: "oneFace", light: "light", size: "size" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function mountIdentityStep(root, { camera, video, applicationId, identity }) {
  const step = root.querySelector("[data-identity-step]");
  const reminder = root.querySelector("[data-identity-reminder]");
  if (!step || !identity || identity.check === "off") return null;
  const $ = (sel) => step.querySelector(sel);
  const labels = identity.labels;
  const url = `/api/applications/${applicationId}/identity/`;
  const kinds = identity.check === "selfie_and_document" ? ["selfie", "document"] : ["selfie"];
  const done = { selfie: identity.selfie, document: identity.document };
  let postponed = false;
  let busy = false;
  let lastKind = null;

  const pending = () => kinds.filter((kind) => !done[kind]);
  const current = () => pending()[0] || null;

  step.querySelectorAll("[data-check]").forEach((item) => {
    item.querySelector("[data-check-label]").textContent = labels[CHECK_LABELS[item.dataset.check]];
  });
  $("[data-identity-later]").textContent = labels.later;
  reminder.querySelector("[data-identity-reminder-text]").textContent = labels.reminder;
  reminder.querySelector("[data-identity-resume]").textContent = labels.reminderButton;

  function setChecks(states = {}) {
    step.querySelectorAll("[data-check]").forEach((item) => {
      const state = states[item.dataset.check] || "";
      if (state) item.dataset.state = state;
      else delete item.dataset.state;
    });
  }

  function say(text, kind = "info") {
    const el = $("[data-identity-message]");
    el.textContent = text || "";
    el.className = text ? `identity-message alert alert-${kind}` : "identity-message";
    el.hidden = !text;
  }

  function render() {
    const kind = current();
    step.hidden = kind === null || postponed;
    reminder.hidden = kind === null || !postponed;
    if (kind === null) return;
    if (kind !== lastKind) {
      lastKind = kind;
      setChecks();
    }
    $("[data-identity-title]").textContent = labels[`${kind}Title`];
    $("[data-identity-intro]").textContent = labels[`${kind}Intro`];
    $("[data-identity-progress]").textContent = kinds.length > 1 ? `${kinds.indexOf(kind) + 1} / ${kinds.length}` : "";
    const take = $("[data-identity-take]");
    take.disabled = busy;
    take.textContent = busy ? labels.sending : labels.take;
  }

  async function frame() {
    if (!camera.isOn) {
      say(labels.cameraFirst);
      await camera.start();
    }
    for (let i = 0; i < 20 && !video.videoWidth; i += 1) await sleep(100); // the first frame
    if (!video.videoWidth) throw new Error(labels.noFrame);
    return captureFrame(video);
  }

  async function take() {
    const kind = current();
    if (!kind || busy) return;
    busy = true;
    render();
    try {
      const form = new FormData();
      form.append("kind", kind);
      form.append("image", dataUrlToBlob(await frame()), `${kind}.jpg`);
      const answer = await postJSON(url, form);
      setChecks(Object.fromEntries(CHECKS.map((check) => [check, "ok"])));
      done[kind] = true;
      let text = kind === "selfie" ? labels.selfieDone : labels.documentDone;
      let tone = "ok";
      if (answer.match) {
        text = answer.match.matches ? labels.documentMatch : labels.documentNoMatch;
        tone = answer.match.matches ? "ok" : "warn";
      }
      say(text, tone);
      step.dispatchEvent(new CustomEvent("identity-saved", { detail: answer }));
    } catch (err) {
      const failed = err instanceof ApiError ? FAILED_CHECK[err.code] : null;
      if (failed) {
        // The checks before the failing one passed (the server judges them in this order;
        // the light is judged first and last, so "too dark" says nothing of the others).
        const states = {};
        if (failed !== "light") for (const check of CHECKS.slice(0, CHECKS.indexOf(failed))) states[check] = "ok";
        states[failed] = "bad";
        setChecks(states);
      } else {
        setChecks();
      }
      say(err.message, "error");
    } finally {
      busy = false;
      render();
      if (current() === null) reminder.hidden = true;
    }
  }

  $("[data-identity-take]").addEventListener("click", () => take());
  $("[data-identity-later]").addEventListener("click", () => {
    postponed = true;
    say("");
    render();
  });
  reminder.querySelector("[data-identity-resume]").addEventListener("click", () => {
    postponed = false;
    render();
    $("[data-identity-take]").focus();
  });
  render();
  return {
    get done() {
      return current() === null;
    },
    take,
  };
}
