/* Text selection: measure what the annotator selected (in code points, trimmed or snapped to words
 * as the server will), show the label toolbar there, and paint a new span at once with the CSS
 * Custom Highlight API until the server's rendering (or, offline, the drained queue) replaces it. */
import { adjust, codePointsToUtf16, utf16ToCodePoints } from "../offsets.js";
import { textElement } from "./page.js";

/** The selection inside #text as {start, end, rect} in code points, or null. */
export function currentSelection(snap) {
  const selection = window.getSelection();
  const container = textElement();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed || !container) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
  const full = container.textContent;
  const before = document.createRange();
  before.setStart(container, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const startUnits = before.toString().length;
  const endUnits = startUnits + range.toString().length;
  const chars = Array.from(full);
  let start = utf16ToCodePoints(full, startUnits);
  let end = utf16ToCodePoints(full, endUnits);
  [start, end] = adjust(chars, start, end, snap);
  if (start >= end) return null;
  return { start, end, rect: range.getBoundingClientRect() };
}

/** Show a floating element (toolbar, popover, menu) under `rect`, inside the viewport. */
export function place(element, rect) {
  element.hidden = false;
  const top = window.scrollY + rect.bottom + 6;
  const left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - element.offsetWidth - 8));
  element.style.top = top + "px";
  element.style.left = left + "px";
}

/** A DOM Range over code points [start, end) of #text, across its marks. */
export function rangeFor(start, end) {
  const container = textElement();
  const full = container.textContent;
  const startUnits = codePointsToUtf16(full, start);
  const endUnits = codePointsToUtf16(full, end);
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, started = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!started && startUnits < seen + length) { range.setStart(node, startUnits - seen); started = true; }
    if (started && endUnits <= seen + length) { range.setEnd(node, endUnits - seen); return range; }
    seen += length;
  }
  return null;
}

/** Spans painted before the server has rendered them: span id -> {label id, range}. */
export function pendingPainter() {
  const pending = new Map();
  function paint() {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    for (const name of Array.from(CSS.highlights.keys())) if (name.startsWith("pending-")) CSS.highlights.delete(name);
    const byLabel = new Map();
    for (const { label, range } of pending.values()) {
      if (!byLabel.has(label)) byLabel.set(label, []);
      byLabel.get(label).push(range);
    }
    for (const [label, ranges] of byLabel) CSS.highlights.set("pending-" + label, new Highlight(...ranges));
  }
  return {
    add(id, labelId, start, end) {
      const range = rangeFor(start, end);
      if (range) pending.set(id, { label: labelId, range });
    },
    remove(id) { pending.delete(id); },
    clear() { pending.clear(); },
    paint,
    get size() { return pending.size; },
  };
}

/** Wire the selection to the toolbar; `ws.createSpan(label)` makes the span. */
export function setupSelection(ws) {
  const { toolbar } = ws;
  ws.clearSelection = () => {
    ws.state.pendingSelection = null;
    toolbar.hidden = true;
    const selection = window.getSelection();
    if (selection) selection.removeAllRanges();
  };
  /** Read the selection now. The browser reports a change later (selectionchange is queued),
   * so a label key pressed at once after Shift+arrows calls this first: it labels what is
   * selected, not what was selected a keystroke ago. */
  ws.syncSelection = () => {
    if (ws.readOnly || ws.state.linking) return;
    const found = currentSelection(ws.snap);
    const same = found && ws.state.pendingSelection
      && found.start === ws.state.pendingSelection.start && found.end === ws.state.pendingSelection.end;
    if (!found) { ws.state.pendingSelection = null; toolbar.hidden = true; return; }
    ws.state.pendingSelection = found;
    if (same) return;
    ws.closePopover();
    place(toolbar, found.rect);
  };
  document.addEventListener("selectionchange", () => ws.syncSelection());
  toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("[data-label]");
    if (button) ws.createSpan(button.dataset.label);
  });
}
