// The system check page (templates/monitoring/interview_check.html): reads its json_script
// configuration and labels, and mounts the check.

import { mountSystemCheck } from "./check.js";

const read = (id) => JSON.parse(document.getElementById(id).textContent);
window.invigilCheck = mountSystemCheck(document.getElementById("check"), read("check-config"), read("check-labels"));
