// Loaded on every page (base.html): local times and the narrow-screen menu.
import { localizeTimes } from "./time.js";

localizeTimes();

const bar = document.querySelector("[data-topbar]");
const toggle = bar?.querySelector("[data-menu-toggle]");
if (bar && toggle) {
  const setOpen = (open) => {
    bar.dataset.open = open ? "true" : "false";
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => setOpen(bar.dataset.open !== "true"));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && bar.dataset.open === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
}
