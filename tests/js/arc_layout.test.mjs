// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { arrowOf, layoutArcs, levelsPerLine, pathOf } from "../../static/js/arc_layout.js";

const BOX = { left: 0, right: 500, levelHeight: 12, base: 7, labelWidth: () => 20, pad: 4 };
const link = (id, source, target, type = "supports") => ({ id, type, source, target });
const at = (x, top) => ({ x, top });

test("a link on one line is one piece from source to target above the line, label in the middle", () => {
  const [laid] = layoutArcs([link("a", at(100, 40), at(200, 40))], BOX);
  assert.strictEqual(laid.pieces.length, 1);
  const piece = laid.pieces[0];
  assert.deepStrictEqual([piece.x1, piece.x2, piece.level, piece.line], [100, 200, 0, 40]);
  assert.strictEqual(piece.y, 40 - 7); // level 0 runs just above the line
  assert.strictEqual(piece.labelX, 150);
  assert.ok(piece.sourceEnd && piece.targetEnd && piece.targetRight);
  assert.match(piece.path, /^M100 40 L100 /); // rises from the source
  assert.match(piece.path, / L200 40$/); // comes down on the target
});

test("a link pointing left puts its arrowhead on the left end", () => {
  const [laid] = layoutArcs([link("a", at(300, 40), at(120, 40))], BOX);
  const piece = laid.pieces[0];
  assert.deepStrictEqual([piece.x1, piece.x2, piece.targetRight], [120, 300, false]);
  assert.match(arrowOf(piece), / L120 40 Z$/);
});

test("a link across lines runs off the right edge on the earlier line and in from the left on the later", () => {
  const [laid] = layoutArcs([link("a", at(400, 80), at(60, 120))], BOX);
  const [first, second] = laid.pieces;
  assert.deepStrictEqual([first.line, first.x1, first.x2, first.sourceEnd, first.targetEnd], [80, 400, 500, true, false]);
  assert.deepStrictEqual([second.line, second.x1, second.x2, second.sourceEnd, second.targetEnd], [120, 0, 60, false, true]);
  assert.strictEqual(arrowOf(first), null); // no arrowhead at the edge
  assert.ok(arrowOf(second));
  assert.match(first.path, /^M400 80 L400 /); // rises from the source
  assert.match(first.path, / L500 73$/); // open-ended at the edge: no drop
  assert.match(second.path, /^M0 113 /); // comes in from the left edge at the run's height
  assert.match(second.path, / L60 120$/); // down on the target
  assert.match(arrowOf(second), / L60 120 Z$/);
});

test("a target on an earlier line than its source gets the arrowhead on the earlier line", () => {
  const [laid] = layoutArcs([link("a", at(60, 120), at(400, 80))], BOX);
  const [first, second] = laid.pieces;
  assert.strictEqual(first.line, 80);
  assert.ok(first.targetEnd && !first.sourceEnd);
  assert.ok(second.sourceEnd && !second.targetEnd);
  assert.match(first.path, /^M400 80 L400 /); // drops on the target (paths run left to right)...
  assert.match(first.path, / L500 73$/); // ...from the right edge
  assert.match(arrowOf(first), / L400 80 Z$/);
  assert.match(second.path, /^M0 113 /); // off to the left edge...
  assert.match(second.path, / L60 120$/); // ...from the source
  assert.strictEqual(arrowOf(second), null);
});

test("tops within a few pixels are one line (nested marks differ slightly)", () => {
  const [laid] = layoutArcs([link("a", at(10, 40), at(90, 41.5))], BOX);
  assert.strictEqual(laid.pieces.length, 1);
});

test("overlapping arcs on one line stack: the shorter one stays low, the one spanning it rises", () => {
  const laid = layoutArcs([
    link("long", at(50, 40), at(400, 40)),
    link("short", at(150, 40), at(250, 40)),
  ], BOX);
  const level = Object.fromEntries(laid.map((l) => [l.id, l.pieces[0].level]));
  assert.deepStrictEqual(level, { short: 0, long: 1 });
  assert.ok(laid[0].pieces[0].y < laid[1].pieces[0].y);
});

test("arcs side by side share a level; on other lines they never interfere", () => {
  const laid = layoutArcs([
    link("a", at(10, 40), at(100, 40)),
    link("b", at(200, 40), at(300, 40)),
    link("c", at(10, 80), at(300, 80)),
  ], BOX);
  assert.deepStrictEqual(laid.map((l) => l.pieces[0].level), [0, 0, 0]);
});

test("labels that would collide stack even when the runs do not overlap", () => {
  const wide = Object.assign({}, BOX, { labelWidth: () => 120 });
  const laid = layoutArcs([link("a", at(10, 40), at(40, 40)), link("b", at(60, 40), at(90, 40))], wide);
  assert.notStrictEqual(laid[0].pieces[0].level, laid[1].pieces[0].level);
});

test("ends that coincide are spread apart so the arc is still visible", () => {
  const [laid] = layoutArcs([link("a", at(100, 40), at(100, 40))], BOX);
  const piece = laid.pieces[0];
  assert.ok(piece.x2 - piece.x1 >= 14);
});

test("levelsPerLine reports the stack height of each line", () => {
  const laid = layoutArcs([
    link("a", at(50, 40), at(400, 40)),
    link("b", at(150, 40), at(250, 40)),
    link("c", at(10, 80), at(30, 80)),
  ], BOX);
  assert.deepStrictEqual(Array.from(levelsPerLine(laid)), [[40, 2], [80, 1]]);
});

test("pathOf rounds corners no wider than half the run", () => {
  const d = pathOf({ x1: 0, x2: 4, y: 10, line: 30, sourceEnd: true, targetEnd: true, targetRight: true }, 4);
  assert.strictEqual(d, "M0 30 L0 12 Q0 10 2 10 L2 10 Q4 10 4 12 L4 30");
});

test("no links, no pieces", () => {
  assert.deepStrictEqual(layoutArcs([], BOX), []);
});
