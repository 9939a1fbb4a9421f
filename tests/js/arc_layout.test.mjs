// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { arrowOf, elsewhere, layoutArcs, layoutBlock, levelsPerLine, lineHeightFor, pathOf } from "../../static/js/arc_layout.js";

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

test("a link to another block keeps only its piece on this block, run to the edge", () => {
  const laid = layoutBlock([
    link("later", at(300, 40), elsewhere(false)),
    link("earlier", elsewhere(true), at(100, 80)),
    link("here", at(10, 40), at(60, 40)),
  ], BOX);
  const pieces = Object.fromEntries(laid.map((l) => [l.id, l.pieces]));
  assert.strictEqual(pieces.later.length, 1);
  assert.deepStrictEqual([pieces.later[0].line, pieces.later[0].x1, pieces.later[0].x2], [40, 300, 500]);
  assert.ok(pieces.later[0].sourceEnd && !pieces.later[0].targetEnd); // off to the right, no arrowhead
  assert.deepStrictEqual([pieces.earlier[0].line, pieces.earlier[0].x1, pieces.earlier[0].x2], [80, 0, 100]);
  assert.ok(arrowOf(pieces.earlier[0])); // comes in from the left onto its target
  assert.strictEqual(pieces.here.length, 1);
});

test("laying out block by block stacks each line as laying out the whole text does", () => {
  const all = [
    link("a", at(50, 40), at(400, 40)),
    link("b", at(150, 40), at(250, 40)),
    link("c", at(300, 40), at(20, 120)), // from the first block to the second
    link("d", at(30, 120), at(90, 120)),
  ];
  const whole = new Map(layoutArcs(all, BOX).flatMap((l) => l.pieces.map((p) => [l.id + "@" + p.line, p.level])));
  const first = layoutBlock([all[0], all[1], link("c", at(300, 40), elsewhere(false))], BOX);
  const second = layoutBlock([link("c", elsewhere(true), at(20, 120)), all[3]], BOX);
  const byBlock = new Map([...first, ...second].flatMap((l) => l.pieces.map((p) => [l.id + "@" + p.line, p.level])));
  assert.deepStrictEqual(byBlock, whole);
});

test("lineHeightFor: each level more needs one level height more room, none needs none", () => {
  const o = { content: 20, below: 4, base: 7, levelHeight: 12, labelHeight: 12, clearance: 2 };
  assert.strictEqual(lineHeightFor(0, o), 0);
  assert.strictEqual(lineHeightFor(1, o), 20 + 4 + 7 + 6 + 2);
  assert.strictEqual(lineHeightFor(4, o) - lineHeightFor(3, o), 12);
});

test("with the room lineHeightFor gives, the top label clears the line above on every line", () => {
  // Lines `height` apart; a line's text spans [top, top + content]; the line above ends `below`
  // further down with its underlines. Nested arcs: each one spans the one before.
  const o = { content: 20, below: 4, labelHeight: 12 };
  const links = Array.from({ length: 7 }, (_, i) => link("n" + i, at(200 - 20 * i, 0), at(220 + 20 * i, 0)));
  const levels = Math.max(...layoutArcs(links, BOX).map((l) => l.pieces[0].level)) + 1;
  assert.strictEqual(levels, 7);
  const height = lineHeightFor(levels, Object.assign({}, BOX, o));
  const second = layoutArcs(links.map((l) => link(l.id, at(l.source.x, height), at(l.target.x, height))), BOX);
  const topOfLabels = Math.min(...second.map((l) => l.pieces[0].y - o.labelHeight / 2));
  const aboveEnds = 0 + o.content + o.below; // the first line's text and underlines end here
  assert.ok(topOfLabels >= aboveEnds, topOfLabels + " >= " + aboveEnds);
});
