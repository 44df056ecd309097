// The review console: j / k move through the interviews (the triage order), Enter opens the
// one in focus (its link); the filters apply as they change.

import { listKeys } from "../js/listkeys.js";

listKeys({
  items: () => [...document.querySelectorAll(".console-table tbody tr")],
  target: (row) => row.querySelector(".row-link"),
});
