// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { caretAfter, dragBoundary, moveBoundary, nextSpan, wordLeft, wordRight } from "../../static/js/words.js";

const TEXT = "Reuters quoted Zakharova, saying Kyiv was sabotaging the talks.";
const chars = Array.from(TEXT);
const at = (phrase) => { const start = TEXT.indexOf(phrase); return { start, end: start + phrase.length }; };
const shown = (range) => range && TEXT.slice(range.start, range.end);

test("Ctrl+Right goes to the end of the next word, Ctrl+Left to the start of the previous", () => {
  assert.strictEqual(wordRight(chars, 0), 7);
  assert.strictEqual(wordRight(chars, 7), 14);
  assert.strictEqual(wordLeft(chars, 14), 8);
  assert.strictEqual(wordLeft(chars, 26), 15); // over ", " back to Zakharova
  assert.strictEqual(wordRight(chars, chars.length), chars.length);
  assert.strictEqual(wordLeft(chars, 0), 0);
});

test("Shift+Right moves the end over the next word, Shift+Left takes the last word off", () => {
  const span = at("Kyiv was");
  assert.strictEqual(shown(moveBoundary(chars, span, "end", 1, true)), "Kyiv was sabotaging");
  assert.strictEqual(shown(moveBoundary(chars, span, "end", -1, true)), "Kyiv");
});

test("Alt+Shift+Left moves the start over the previous word, Alt+Shift+Right takes the first off", () => {
  const span = at("Kyiv was");
  assert.strictEqual(shown(moveBoundary(chars, span, "start", -1, true)), "saying Kyiv was");
  assert.strictEqual(shown(moveBoundary(chars, span, "start", 1, true)), "was");
});

test("a move that would leave nothing, or change nothing, is no move", () => {
  assert.strictEqual(moveBoundary(chars, at("Kyiv"), "end", -1, true), null);
  assert.strictEqual(moveBoundary(chars, at("Kyiv"), "start", 1, true), null);
  assert.strictEqual(moveBoundary(chars, at("talks."), "end", 1, true), null);
});

test("the end moves past punctuation as a selection would keep it (trimmed, not snapped away)", () => {
  assert.strictEqual(shown(moveBoundary(chars, at("Reuters quoted Zakharova"), "end", 1, true)),
    "Reuters quoted Zakharova, saying");
});

test("a dragged boundary snaps to whole words and never crosses the other one", () => {
  const span = at("Kyiv was");
  assert.strictEqual(shown(dragBoundary(chars, span, "end", TEXT.indexOf("abotaging"), true)), "Kyiv was sabotaging");
  assert.strictEqual(shown(dragBoundary(chars, span, "end", TEXT.indexOf("abotaging"), false)), "Kyiv was s");
  assert.strictEqual(shown(dragBoundary(chars, span, "end", 0, true)), "Kyiv");
  assert.strictEqual(shown(dragBoundary(chars, span, "start", TEXT.indexOf("ying"), true)), "saying Kyiv was");
  assert.strictEqual(shown(dragBoundary(chars, span, "start", chars.length, true)), "was");
});

test("Tab walks the spans in text order from the selected one, or from the caret", () => {
  const spans = [{ id: "a", start: 0, end: 7 }, { id: "b", start: 0, end: 3 }, { id: "c", start: 10, end: 12 }];
  assert.strictEqual(nextSpan(spans, "a", 0, false).id, "b");
  assert.strictEqual(nextSpan(spans, "b", 0, false).id, "c");
  assert.strictEqual(nextSpan(spans, "c", 0, false), null); // Tab leaves the text
  assert.strictEqual(nextSpan(spans, "c", 0, true).id, "b");
  assert.strictEqual(nextSpan(spans, null, 5, false).id, "c");
  assert.strictEqual(nextSpan(spans, null, 5, true).id, "b");
  assert.strictEqual(nextSpan(spans, null, 0, true), null);
});

test("arrows move the caret by a character, with Ctrl by a word; Home and End to the ends", () => {
  assert.strictEqual(caretAfter(chars, 3, "ArrowRight", false), 4);
  assert.strictEqual(caretAfter(chars, 3, "ArrowRight", true), 7);
  assert.strictEqual(caretAfter(chars, 0, "ArrowLeft", false), 0);
  assert.strictEqual(caretAfter(chars, 10, "ArrowLeft", true), 8);
  assert.strictEqual(caretAfter(chars, 10, "End", false), chars.length);
  assert.strictEqual(caretAfter(chars, 10, "ArrowUp", false), null);
});

test("the offset index converts as offsets.js does, emoji and flags included", async () => {
  const { codePointsToUtf16, utf16ToCodePoints } = await import("../../static/offsets.js");
  const { offsetIndex } = await import("../../static/js/words.js");
  const text = "a 🇺🇦 b 👩\u200d👩\u200d👧 c\u0301 Захарова 😀";
  const index = offsetIndex(text);
  for (let units = 0; units <= text.length; units++) {
    assert.strictEqual(index.toPoints(units), utf16ToCodePoints(text, units), "units " + units);
  }
  for (let points = 0; points <= Array.from(text).length; points++) {
    assert.strictEqual(index.toUnits(points), codePointsToUtf16(text, points), "points " + points);
  }
});
