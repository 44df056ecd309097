// The interview page (templates/monitoring/interview_detail.html): reads its json_script
// configuration and mounts the panel.

import { mountInterviewPanel } from "./panel.js";

const config = JSON.parse(document.getElementById("panel-config").textContent);
window.invigilPanel = mountInterviewPanel(document.getElementById("interview"), config);
window.invigilCamera = window.invigilPanel.camera;
