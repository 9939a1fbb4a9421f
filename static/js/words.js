/* Word steps over a document's code points (pure): where Ctrl+arrows move the caret, where
 * Shift+Left/Right move a selected span's end and Alt+Shift+Left/Right its start, and which span
 * Tab selects next. A word is a run of the characters selection snapping keeps together
 * (offsets.js WORD); offsets are code points, spans half-open [start, end). */
import { WORD, adjust } from "../offsets.js";

const isWord = (c) => c !== undefined && WORD.test(c);

/** The end of the next word at or after `pos` (Ctrl+Right). */
export function wordRight(chars, pos) {
  while (pos < chars.length && !isWord(chars[pos])) pos++;
  while (pos < chars.length && isWord(chars[pos])) pos++;
  return pos;
}

/** The start of the word before `pos` (Ctrl+Left). */
export function wordLeft(chars, pos) {
  while (pos > 0 && !isWord(chars[pos - 1])) pos--;
  while (pos > 0 && isWord(chars[pos - 1])) pos--;
  return pos;
}

/** The end of the word before the one `pos` ends (an end moving left drops its last word). */
function previousWordEnd(chars, pos) {
  while (pos > 0 && isWord(chars[pos - 1])) pos--;
  while (pos > 0 && !isWord(chars[pos - 1])) pos--;
  return pos;
}

/** The start of the word after the one `pos` starts (a start moving right drops its first word). */
function nextWordStart(chars, pos) {
  while (pos < chars.length && isWord(chars[pos])) pos++;
  while (pos < chars.length && !isWord(chars[pos])) pos++;
  return pos;
}

/**
 * A span's range with one boundary moved by a word: `edge` "start" | "end", `direction` -1 | 1.
 * Trimmed (and, with `snap`, widened to whole words) as a selection is. null when the move would
 * leave nothing or change nothing.
 */
export function moveBoundary(chars, span, edge, direction, snap) {
  let { start, end } = span;
  if (edge === "end") end = direction > 0 ? wordRight(chars, end) : previousWordEnd(chars, end);
  else start = direction > 0 ? nextWordStart(chars, start) : wordLeft(chars, start);
  if (start >= end) return null;
  [start, end] = adjust(chars, start, end, snap);
  if (start >= end || (start === span.start && end === span.end)) return null;
  return { start, end };
}

/**
 * A span's range with one boundary dragged to code point `offset` (a handle's drag). The other
 * boundary stays; the dragged one never crosses it; snapping as for a selection.
 */
export function dragBoundary(chars, span, edge, offset, snap) {
  let start = edge === "start" ? Math.min(offset, span.end - 1) : span.start;
  let end = edge === "end" ? Math.max(offset, span.start + 1) : span.end;
  start = Math.max(0, start);
  end = Math.min(chars.length, end);
  [start, end] = adjust(chars, start, end, snap);
  return start < end ? { start, end } : { start: span.start, end: span.end };
}

/**
 * The span Tab (or Shift+Tab, `backwards`) selects: the next one in text order (`spans` sorted by
 * start, longer first) after the selected `current` id, or, with none selected, the first that
 * starts at or after the caret (the last before it). null past the last: Tab leaves the text.
 */
export function nextSpan(spans, current, caret, backwards) {
  const index = spans.findIndex((span) => span.id === current);
  if (index >= 0) return spans[index + (backwards ? -1 : 1)] || null;
  if (backwards) return [...spans].reverse().find((span) => span.start < caret) || null;
  return spans.find((span) => span.start >= caret) || null;
}

/** The caret after an arrow key: Left/Right by a character, by a word with Ctrl; Home/End to the
 * ends of the text. null for other keys (Up/Down are measured on the page). */
export function caretAfter(chars, pos, key, byWord) {
  if (key === "ArrowLeft") return byWord ? wordLeft(chars, pos) : Math.max(0, pos - 1);
  if (key === "ArrowRight") return byWord ? wordRight(chars, pos) : Math.min(chars.length, pos + 1);
  if (key === "Home") return 0;
  if (key === "End") return chars.length;
  return null;
}

/** Code point <-> UTF-16 offsets of `text` in O(log n) each, after one pass (a drag converts on
 * every frame; offsets.js walks the text each time). */
export function offsetIndex(text) {
  const pairs = []; // UTF-16 offsets of the high halves of surrogate pairs
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) { pairs.push(i); i++; }
  }
  const countBelow = (values, limit) => { // how many values are < limit
    let lo = 0, hi = values.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (values[mid] < limit) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const pairPoints = pairs.map((units, index) => units - index); // code point index of each pair
  return {
    /** Code points before UTF-16 offset `units` (inside a pair counts the pair, as offsets.js). */
    toPoints: (units) => units - countBelow(pairs, units - 1),
    toUnits: (points) => points + countBelow(pairPoints, points),
  };
}
