// The words the page modules show, in the page's language. The server writes them into every
// page (templates/base.html: {% ui_strings %}, a json_script "ui-strings" built from the
// English originals listed in common/ui_strings.py): a module writes t("Camera off.") and
// shows the translation; `{name}` placeholders are filled from `values`. A text the list lacks
// stays as written (tests/common/test_ui_strings.py holds every t(...) call of static/ to the list).

let strings = null;

function catalogue() {
  if (strings === null) {
    const el = typeof document === "undefined" ? null : document.getElementById("ui-strings");
    strings = el ? JSON.parse(el.textContent) : {};
  }
  return strings;
}

/** Fill `{name}` placeholders; one left without a value stays as written. */
export function fill(text, values = {}) {
  return String(text ?? "").replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

/** The translation of an English original, its placeholders filled. */
export function t(text, values = {}) {
  const translated = catalogue()[text];
  return fill(translated === undefined ? text : translated, values);
}
