/* Offsets between the browser (UTF-16 code units) and annotator (Unicode code points).
 * Stored offsets are code points, half-open [start, end). This is the one place that converts;
 * it is unit-tested with node (tests/js/offsets.test.js). An ES module, like static/js/. */

function isHigh(code) { return code >= 0xd800 && code <= 0xdbff; }

/** Code points in text.slice(0, units); a position inside a surrogate pair moves past it. */
export function utf16ToCodePoints(text, units) {
  let points = 0;
  for (let i = 0; i < units && i < text.length; i++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length) i++;
    points++;
  }
  return points;
}

/** UTF-16 units before code point `points` of text. */
export function codePointsToUtf16(text, points) {
  let units = 0;
  for (let p = 0; p < points && units < text.length; p++) {
    units += isHigh(text.charCodeAt(units)) && units + 1 < text.length ? 2 : 1;
  }
  return units;
}

export const WORD = /[\p{L}\p{N}\p{M}_'’\u200d\ufe0f]/u;
const MARK = /\p{M}/u;
const ZWJ = "\u200d";

/** A character that belongs to the grapheme cluster before it (mirrors annotator/offsets.py). */
function extendsCluster(c) {
  const code = c.codePointAt(0);
  return c === ZWJ || (code >= 0xfe00 && code <= 0xfe0f) || (code >= 0x1f3fb && code <= 0x1f3ff)
    || (code >= 0xe0020 && code <= 0xe007f) || MARK.test(c);
}
function isRegional(c) { const code = c.codePointAt(0); return code >= 0x1f1e6 && code <= 0x1f1ff; }

/** True when `offset` falls inside a user-perceived character (simplified UAX #29). */
function insideCluster(chars, offset) {
  if (offset <= 0 || offset >= chars.length) return false;
  if (extendsCluster(chars[offset]) || chars[offset - 1] === ZWJ) return true;
  if (isRegional(chars[offset]) && isRegional(chars[offset - 1])) {
    let run = offset;
    while (run > 0 && isRegional(chars[run - 1])) run--;
    return (offset - run) % 2 === 1;
  }
  return false;
}

/** Trim whitespace, and optionally widen to whole words; works on arrays of code points.
 * Same rules as annotator/offsets.py snap_to_words, so browser and server agree. */
export function adjust(chars, start, end, snap) {
  const space = (c) => /\s/u.test(c);
  while (start < end && space(chars[start])) start++;
  while (end > start && space(chars[end - 1])) end--;
  if (start === end || !snap) return [start, end];
  while (start > 0 && (insideCluster(chars, start) || (WORD.test(chars[start - 1]) && WORD.test(chars[start])))) start--;
  while (end < chars.length && (insideCluster(chars, end) || (WORD.test(chars[end]) && WORD.test(chars[end - 1])))) end++;
  return [start, end];
}

