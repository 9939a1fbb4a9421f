// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { utf16ToCodePoints, codePointsToUtf16, adjust } from "../../static/offsets.js";

const mixed = "Zakharova (Захарова) 👩‍👩‍👧 e\u0301 🇺🇦 שלום end";

test("ascii offsets are unchanged", () => {
  assert.strictEqual(utf16ToCodePoints("hello", 3), 3);
  assert.strictEqual(codePointsToUtf16("hello", 3), 3);
});

test("astral characters count once as code points, twice as UTF-16 units", () => {
  const text = "a😀b";
  assert.strictEqual(text.length, 4);
  assert.strictEqual(utf16ToCodePoints(text, 3), 2);
  assert.strictEqual(codePointsToUtf16(text, 2), 3);
});

test("round trip over every code point of a mixed-script text", () => {
  const points = Array.from(mixed);
  for (let p = 0; p <= points.length; p++) {
    const units = codePointsToUtf16(mixed, p);
    assert.strictEqual(units, points.slice(0, p).join("").length);
    assert.strictEqual(utf16ToCodePoints(mixed, units), p);
  }
});

test("a position inside a surrogate pair moves past the pair", () => {
  assert.strictEqual(utf16ToCodePoints("😀x", 1), 1);
});

test("adjust trims whitespace and snaps to whole words", () => {
  const chars = Array.from("  Захарова said 👩‍👩‍👧 ok ");
  assert.deepStrictEqual(adjust(chars, 0, 5, false), [2, 5]);
  assert.deepStrictEqual(adjust(chars, 0, 5, true), [2, 10]);
  assert.deepStrictEqual(adjust(chars, 3, 13, true), [2, 15]);
  assert.deepStrictEqual(adjust(chars, 0, 2, true), [2, 2]);
});

test("combining marks stay with their letter when snapping", () => {
  const chars = Array.from("cafe\u0301 noir");
  assert.deepStrictEqual(adjust(chars, 0, 2, true), [0, 5]);
});

test("snapping never cuts a flag, a ZWJ sequence or a skin tone in two", () => {
  const chars = Array.from("go 🇺🇦🇵🇱 and 👩\u200d👩\u200d👧 or 👍🏽 now");
  const flagPair = chars.indexOf("🇺") ;
  assert.deepStrictEqual(adjust(chars, flagPair + 1, flagPair + 3, true), [flagPair, flagPair + 4]);
  const family = chars.indexOf("👩");
  assert.deepStrictEqual(adjust(chars, family + 2, family + 3, true), [family, family + 5]);
  const thumb = chars.indexOf("👍");
  assert.deepStrictEqual(adjust(chars, thumb, thumb + 1, true), [thumb, thumb + 2]);
});
