// The review timeline page (templates/monitoring/timeline.html): reads its json_script
// configuration and mounts the timeline.

import { mountTimeline } from "./timeline.js";

const config = JSON.parse(document.getElementById("timeline-config").textContent);
window.invigilTimeline = mountTimeline(document.getElementById("timeline"), config);
