// The printable report: a button for the browser's print dialog ("Save as PDF").
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
