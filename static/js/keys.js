/* Keyboard: a label's key labels the selection (or relabels the open span), L starts a link,
 * digits/arrows/Enter pick in the link menu, Esc cancels, Ctrl/⌘+Z undoes,
 * Ctrl/⌘+Shift+Z and Ctrl+Y redo. */
import { historyKey } from "./history.js";


export function setupKeys(ws) {
  const keys = {}; // key -> label name
  for (const button of ws.toolbar.querySelectorAll("[data-key]")) {
    if (button.dataset.key) keys[button.dataset.key] = button.dataset.label;
  }
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    const step = historyKey(event);
    if (step) {
      event.preventDefault();
      if (step === "undo") ws.undo(); else ws.redo();
      return;
    }
    if (event.key === "Escape") { ws.clearSelection(); ws.closePopover(); ws.stopLinking(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (ws.menuKey(event)) return;
    if (ws.state.linking) return; // the next click picks the target
    const editing = ws.state.editing;
    if ((event.key === "l" || event.key === "L") && editing && !ws.readOnly) {
      event.preventDefault();
      ws.startLinking(editing);
      return;
    }
    if (keys[event.key]) {
      ws.syncSelection();
      if (ws.state.pendingSelection) { event.preventDefault(); ws.createSpan(keys[event.key]); }
      else if (editing) { event.preventDefault(); ws.updateSpan(editing, { label: keys[event.key] }); ws.closePopover(); }
    }
  });
}
