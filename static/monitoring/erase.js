// The reviewer's "Erase the record…" on the review timeline: asks once, erases through the
// API (images first, then every row), and goes back to the console, which shows the receipt.

import { postJSON } from "../js/http.js";
import { toast } from "../js/toast.js";

const button = document.querySelector("[data-erase]");
const config = JSON.parse(document.getElementById("timeline-config").textContent);

button?.addEventListener("click", async () => {
  const ok = window.confirm(
    "Erase this interview's record for good? Every capture is deleted from storage, then every " +
      "row recorded for it — analyses, events, incidents, camera history, consent records — and " +
      "the application itself. You receive a receipt. This cannot be undone.",
  );
  if (!ok) return;
  button.disabled = true;
  try {
    const receipt = await postJSON(`/api/applications/${config.applicationId}/erase/`);
    window.location.assign(`/console/?erased=${encodeURIComponent(receipt.receipt_id)}`);
  } catch (err) {
    toast(err.message, "error");
    button.disabled = false;
  }
});
