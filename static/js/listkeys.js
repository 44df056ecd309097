// Keyboard triage: j / k move through a list (the console's interviews, the timeline's
// incidents), Enter opens the current one. Keys typed into a field, with a modifier or while
// a dialog is open are left alone.

const FIELDS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function typing(el) {
  return Boolean(el) && (el.isContentEditable || FIELDS.has(el.tagName));
}

/**
 * items(): the list's elements, in order; target(el): what takes the focus (default: the
 * element itself, made focusable); open(el): what Enter does on the current one (default:
 * nothing — a focused link opens by itself).
 */
export function listKeys({ items, target = (el) => el, open = null }) {
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const list = items();
    if (!list.length) return;
    const at = list.findIndex((el) => el.classList.contains("is-current"));
    if (e.key === "j" || e.key === "k") {
      e.preventDefault();
      const step = e.key === "j" ? 1 : -1;
      const next = at === -1 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
      list.forEach((el) => el.classList.remove("is-current"));
      const el = list[next];
      el.classList.add("is-current");
      const focus = target(el);
      if (focus === el && !el.hasAttribute("tabindex")) el.tabIndex = -1;
      focus.focus();
      el.scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && open && at !== -1 && list[at].contains(document.activeElement)) {
      if (document.activeElement !== target(list[at])) return; // a button inside does its own
      e.preventDefault();
      open(list[at]);
    }
  });
}
