/* Keyboard-only annotation: the text takes focus (Tab, or a click) and shows a caret that the
 * arrow keys move (Ctrl by a word, Up/Down by a line, Home/End to the ends); Shift extends a
 * selection from where it started, which a label's key then labels (keys.js). Tab / Shift+Tab
 * select the spans in text order (past the last one Tab leaves the text, so it is no trap);
 * Delete / Backspace delete the selected span; Escape lets it go. While a span is selected,
 * Shift+Left/Right move its boundaries instead (boundaries.js).
 * Focus never drops to <body>: when the body is drawn anew after a save, or the popover closes
 * with focus inside it, focus goes back to the text (or to the same list item). */
import { utf16ToCodePoints } from "../offsets.js";
import { allSpans, spanData, textElement } from "./page.js";
import { rangeFor } from "./selection.js";
import { caretAfter, nextSpan } from "./words.js";

const MOVES = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);

let cachedChars = null;
/** The document's code points (the text never changes, so this is read once). */
export function documentChars() {
  if (!cachedChars) cachedChars = Array.from(textElement().textContent);
  return cachedChars;
}

/** The code point offset of a DOM position inside #text. */
export function offsetOf(node, offset) {
  const container = textElement();
  const before = document.createRange();
  before.setStart(container, 0);
  before.setEnd(node, offset);
  return utf16ToCodePoints(container.textContent, before.toString().length);
}

/** Where the caret at code point `pos` is drawn: {x, top, height} in client coordinates. */
export function caretRect(pos) {
  const chars = documentChars();
  if (pos < chars.length && chars[pos] !== "\n") {
    const rects = rangeFor(pos, pos + 1).getClientRects();
    if (rects.length) return { x: rects[0].left, top: rects[0].top, height: rects[0].height };
  }
  if (pos > 0) {
    const rects = rangeFor(pos - 1, pos).getClientRects();
    const last = rects[rects.length - 1];
    if (last) return { x: last.right, top: last.top, height: last.height };
  }
  const box = textElement().getBoundingClientRect();
  return { x: box.left + 8, top: box.top + 8, height: 20 };
}

export function setupCaret(ws) {
  const { root } = ws;
  const caret = document.createElement("span");
  caret.className = "caret";
  caret.setAttribute("aria-hidden", "true");
  caret.hidden = true;
  root.append(caret);
  ws.state.caret = 0;
  let anchor = null; // where a Shift selection started
  let column = null; // the x that Up/Down keep

  function draw() {
    const text = textElement();
    if (!text || document.activeElement !== text) { caret.hidden = true; return; }
    const rect = caretRect(ws.state.caret);
    caret.hidden = false;
    caret.style.left = window.scrollX + rect.x + "px";
    caret.style.top = window.scrollY + rect.top + "px";
    caret.style.height = rect.height + "px";
  }
  function scrollToCaret() {
    const rect = caretRect(ws.state.caret);
    if (rect.top < 0 || rect.top + rect.height > window.innerHeight) {
      window.scrollBy(0, rect.top - window.innerHeight / 2);
    }
  }

  ws.focusText = () => {
    const text = textElement();
    if (text) text.focus({ preventScroll: true });
    draw();
  };
  /** Before the body is replaced: a function that puts focus back where it was. */
  ws.focusBefore = () => {
    const active = document.activeElement;
    const body = document.getElementById("body");
    const item = active && active.closest && active.closest("#span-list li[data-span]");
    if (item) {
      const id = item.dataset.span;
      return () => {
        const again = document.querySelector('#span-list li[data-span="' + CSS.escape(id) + '"] button');
        if (again) again.focus({ preventScroll: true }); else ws.focusText();
      };
    }
    if (active === document.body || (body && body.contains(active))) return ws.focusText;
    return null;
  };
  /** Select span `id`: caret at its start, its popover (and boundary handles) open. */
  ws.selectSpan = (id) => {
    const data = spanData(id);
    if (!data) return;
    anchor = null;
    ws.clearSelection();
    ws.state.caret = data.start;
    const range = rangeFor(data.start, data.end);
    if (range) {
      const rect = range.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) window.scrollBy(0, rect.top - window.innerHeight / 3);
      ws.openPopover(id, range.getBoundingClientRect());
    }
    draw();
  };

  const closePopover = ws.closePopover;
  ws.closePopover = () => {
    const inside = ws.popover.contains(document.activeElement);
    closePopover();
    if (inside) ws.focusText();
  };

  function moveCaret(event) {
    const chars = documentChars();
    let pos;
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      const rect = caretRect(ws.state.caret);
      if (column === null) column = rect.x;
      const y = event.key === "ArrowDown" ? rect.top + rect.height * 1.5 : rect.top - rect.height * 0.5;
      const hit = document.caretRangeFromPoint ? document.caretRangeFromPoint(column, y) : null;
      if (hit && textElement().contains(hit.startContainer)) pos = offsetOf(hit.startContainer, hit.startOffset);
      else pos = event.key === "ArrowDown" ? chars.length : 0;
    } else {
      column = null;
      pos = caretAfter(chars, ws.state.caret, event.key, event.ctrlKey || event.metaKey);
    }
    if (event.shiftKey) {
      if (anchor === null) anchor = ws.state.caret;
      ws.state.caret = pos;
      const selection = window.getSelection();
      selection.removeAllRanges();
      if (pos !== anchor) selection.addRange(rangeFor(Math.min(anchor, pos), Math.max(anchor, pos)));
    } else {
      anchor = null;
      ws.clearSelection();
      ws.state.caret = pos;
    }
    if (ws.state.editing) ws.closePopover();
    scrollToCaret();
    draw();
  }

  document.addEventListener("keydown", (event) => {
    const text = textElement();
    if (!text || event.target !== text) return;
    const editing = ws.state.editing;
    if (editing && event.shiftKey && !event.ctrlKey && !event.metaKey
        && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      event.preventDefault();
      ws.moveBoundaryByWord(editing, event.altKey ? "start" : "end", event.key === "ArrowLeft" ? -1 : 1);
      return;
    }
    if (MOVES.has(event.key) && !event.altKey) {
      event.preventDefault();
      moveCaret(event);
      return;
    }
    if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      const next = nextSpan(allSpans(), editing, ws.state.caret, event.shiftKey);
      if (next) { event.preventDefault(); ws.selectSpan(next.id); }
      else if (editing) ws.closePopover(); // Tab leaves the text
      return;
    }
    if ((event.key === "Delete" || event.key === "Backspace") && editing && !ws.readOnly) {
      event.preventDefault();
      if (ws.deleteSpan(editing)) ws.closePopover();
      ws.focusText();
      return;
    }
    if (event.key === "Escape") anchor = null;
  });

  document.addEventListener("pointerdown", () => { anchor = null; });
  // A click in the text puts the caret there (and a selection made with the mouse extends it).
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    const text = textElement();
    if (!text || !selection || !selection.rangeCount || !text.contains(selection.focusNode)) return;
    if (anchor !== null) return; // the keys are selecting: they set the caret themselves
    ws.state.caret = offsetOf(selection.focusNode, selection.focusOffset);
    draw();
  });
  document.addEventListener("focusin", draw);
  document.addEventListener("focusout", () => requestAnimationFrame(draw));
  window.addEventListener("resize", draw);
  root.addEventListener("workspace:changed", draw);
  // After a span is made with the keys the caret sits at its end.
  const createSpan = ws.createSpan;
  ws.createSpan = (label) => {
    const selection = ws.state.pendingSelection;
    const made = createSpan(label);
    if (made && selection) ws.state.caret = selection.end;
    anchor = null;
    draw();
    return made;
  };
}
