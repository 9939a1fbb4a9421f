/* Boundary editing of the selected span: a handle at each end to drag (snapping as a selection
 * does), and Shift+Left/Right (end) / Alt+Shift+Left/Right (start) to move a boundary by a word
 * (caret.js hands those keys here). Each move is one save of the same span id and one undo step;
 * a move onto a span that exists already is refused by the server (409), which the notice shows,
 * and the old span stays.
 *
 * A drag must keep 60 frames per second on a 50,000-character document with 1,000 spans: the
 * text nodes and their offsets are read once when the drag starts; each frame only hit-tests the
 * pointer (layout is clean then), converts offsets by binary search and moves the ranges of one
 * CSS highlight that paints a background only. Nothing that needs layout changes while dragging:
 * moving the handles (even by a transform) or a highlight with a text decoration cost ~20 ms a
 * frame on that document, so the handles hide until the drag ends. Each frame's work is recorded
 * as a "boundary-drag-frame" performance measure (bench/workspace_bench.py reads it). */
import { spanData, textElement } from "./page.js";
import { rangeFor } from "./selection.js";
import { documentChars } from "./caret.js";
import { dragBoundary, moveBoundary, offsetIndex } from "./words.js";

const DRAG = "boundary-drag";

/** Text nodes of #text with the UTF-16 offset each starts at (read once per drag). */
function textNodes() {
  const walker = document.createTreeWalker(textElement(), NodeFilter.SHOW_TEXT);
  const nodes = [], starts = [];
  let seen = 0, node;
  while ((node = walker.nextNode())) { nodes.push(node); starts.push(seen); seen += node.data.length; }
  return { nodes, starts, index: new Map(nodes.map((n, i) => [n, i])) };
}

/** A Range over UTF-16 units [from, to) from the node table (binary search, no tree walk). */
function unitRange(table, from, to) {
  const find = (units, isEnd) => {
    let lo = 0, hi = table.nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (table.starts[mid] < units || (!isEnd && table.starts[mid] === units)) lo = mid; else hi = mid - 1;
    }
    return [table.nodes[lo], units - table.starts[lo]];
  };
  const range = document.createRange();
  range.setStart(...find(from, false));
  range.setEnd(...find(to, true));
  return range;
}

export function setupBoundaries(ws) {
  const { root } = ws;
  const handles = {};
  for (const edge of ["start", "end"]) {
    const handle = document.createElement("span");
    handle.className = "boundary-handle handle-" + edge;
    handle.dataset.edge = edge;
    handle.title = edge === "start" ? "Drag to move the start (Alt+Shift+←/→)" : "Drag to move the end (Shift+←/→)";
    handle.setAttribute("aria-hidden", "true"); // the keys do the same for keyboard users
    handle.hidden = true;
    root.append(handle);
    handles[edge] = handle;
  }

  function placeHandles(range) {
    const rects = range ? range.getClientRects() : [];
    if (!rects.length) { handles.start.hidden = handles.end.hidden = true; return; }
    const first = rects[0], last = rects[rects.length - 1];
    const put = (handle, x, rect) => {
      handle.hidden = false;
      handle.style.left = window.scrollX + x + "px";
      handle.style.top = window.scrollY + rect.top + "px";
      handle.style.height = rect.height + "px";
    };
    put(handles.start, first.left, first);
    put(handles.end, last.right, last);
  }
  function showHandles() {
    if (dragging) return;
    const data = ws.state.editing && !ws.readOnly ? spanData(ws.state.editing) : null;
    placeHandles(data ? rangeFor(data.start, data.end) : null);
  }

  const openPopover = ws.openPopover, closePopover = ws.closePopover;
  ws.openPopover = (id, rect) => { openPopover(id, rect); showHandles(); };
  ws.closePopover = () => { closePopover(); showHandles(); };
  root.addEventListener("workspace:changed", () => requestAnimationFrame(showHandles));
  window.addEventListener("resize", showHandles);

  /** Move the selected span's edge by a word; re-open its popover where it now is. */
  ws.moveBoundaryByWord = (id, edge, direction) => {
    const data = spanData(id);
    if (!data || ws.readOnly) return;
    const moved = moveBoundary(documentChars(), data, edge, direction, ws.snap);
    if (moved) commit(id, edge, moved);
  };
  function commit(id, edge, range) {
    ws.updateSpan(id, range, "moving the " + edge + " of a span");
    const now = rangeFor(range.start, range.end);
    if (now && ws.state.editing === id) ws.openPopover(id, now.getBoundingClientRect());
  }

  // ---- dragging ------------------------------------------------------------------------------
  let dragging = null; // {id, edge, span, table, chars, offsets, highlight, range, x, y, frame}
  let offsets = null; // the text's offset index, made at the first drag (the text never changes)

  function frame() {
    const drag = dragging;
    drag.frame = null;
    const began = performance.now();
    const hit = document.caretRangeFromPoint(drag.x, drag.y);
    if (hit && hit.startContainer.nodeType === Node.TEXT_NODE && drag.table.index.has(hit.startContainer)) {
      const units = drag.table.starts[drag.table.index.get(hit.startContainer)] + hit.startOffset;
      const range = dragBoundary(drag.chars, drag.span, drag.edge, drag.offsets.toPoints(units), ws.snap);
      if (range.start !== drag.range.start || range.end !== drag.range.end) {
        drag.range = range;
        drag.highlight.clear();
        drag.highlight.add(unitRange(drag.table, drag.offsets.toUnits(range.start), drag.offsets.toUnits(range.end)));
      }
    }
    performance.measure("boundary-drag-frame", { start: began, end: performance.now() });
  }

  function onMove(event) {
    if (!dragging) return;
    dragging.x = event.clientX;
    dragging.y = event.clientY;
    if (dragging.frame === null) dragging.frame = requestAnimationFrame(frame);
  }
  function onUp() {
    const drag = dragging;
    if (!drag) return;
    if (drag.frame !== null) { cancelAnimationFrame(drag.frame); frame(); }
    dragging = null;
    root.classList.remove("dragging-boundary");
    window.removeEventListener("pointermove", onMove);
    window.removeEventListener("pointerup", onUp);
    CSS.highlights.delete(DRAG);
    if (drag.range.start !== drag.span.start || drag.range.end !== drag.span.end) commit(drag.id, drag.edge, drag.range);
    else showHandles();
    ws.focusText();
  }

  root.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".boundary-handle");
    if (!handle || !ws.state.editing || ws.readOnly || event.button !== 0 || typeof Highlight === "undefined") return;
    event.preventDefault(); // no text selection while dragging
    const span = spanData(ws.state.editing);
    if (!span) return;
    const full = textElement().textContent;
    if (!offsets || offsets.text !== full) offsets = { text: full, index: offsetIndex(full) };
    const highlight = new Highlight();
    CSS.highlights.set(DRAG, highlight);
    dragging = { id: span.id, edge: handle.dataset.edge, span, table: textNodes(), chars: documentChars(),
      offsets: offsets.index, highlight, range: { start: span.start, end: span.end },
      x: event.clientX, y: event.clientY, frame: null };
    highlight.add(unitRange(dragging.table, offsets.index.toUnits(span.start), offsets.index.toUnits(span.end)));
    root.classList.add("dragging-boundary");
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
  });
}
