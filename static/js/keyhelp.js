/* The key-help overlay: `?` opens a modal dialog listing every shortcut (templates/workspace/
 * _keys.html), the suggestions' keys only while suggestions are shown. Escape or its button
 * closes it; Tab and Shift+Tab stay inside it while it is open; focus goes back to where it was
 * (the text, if that element is gone). */

export function setupKeyHelp(ws) {
  const dialog = document.getElementById("key-help");
  if (!dialog) return;
  let before = null;

  ws.openKeyHelp = () => {
    if (dialog.open) return;
    before = document.activeElement;
    // the suggestions' keys, only where suggestions are shown (the panel hides when there are none)
    const suggestions = document.getElementById("suggestions");
    const suggestionKeys = dialog.querySelector("#key-help-suggestions");
    if (suggestionKeys) suggestionKeys.hidden = !suggestions || suggestions.hidden;
    dialog.showModal();
    dialog.querySelector("#key-help-close").focus();
  };
  dialog.addEventListener("close", () => {
    if (before && before !== document.body && document.contains(before)) before.focus({ preventScroll: true });
    else ws.focusText();
    before = null;
  });
  dialog.querySelector("#key-help-close").addEventListener("click", () => dialog.close());
  const opener = document.getElementById("key-help-open");
  if (opener) opener.addEventListener("click", ws.openKeyHelp);
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const focusable = Array.from(dialog.querySelectorAll("button, [href], [tabindex]:not([tabindex='-1'])"));
    const first = focusable[0], last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "?" || dialog.open || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    event.preventDefault();
    ws.openKeyHelp();
  });
}
