/* Where the link arcs go: pure geometry, no DOM (node tests in tests/js/arc_layout.test.mjs).
 *
 * The caller measures each link's two ends (the first line box of each span: its horizontal
 * centre `x` and its `top`, in pixels relative to the text box) and gets back, per link, the
 * pieces to draw. An arc rises from its source, runs level in the gap above the line and comes
 * down on its target, with its type as a label in the middle of the level run. When both ends are
 * on one line there is one piece. When they are on different lines there are two: on the earlier
 * line the arc runs off to the right edge, on the later line it comes in from the left edge (as
 * brat draws them), so no arc crosses the text between. On each line the pieces are stacked:
 * a piece takes the lowest level where neither its run nor its label meets another piece's,
 * shorter pieces first, so nested arcs sit inside the ones spanning them. */

const DEFAULTS = {
  left: 0, // the text box's inner left and right edge: where cross-line pieces run to
  right: 600,
  levelHeight: 12, // vertical distance between stacked levels
  base: 7, // height of level 0 above the line's top
  sameLine: 4, // tops closer than this are one line
  pad: 4, // horizontal room kept between pieces on one level
  minWidth: 14, // a piece whose ends coincide is widened to this
  radius: 4, // rounding of the corners
  labelWidth: (text) => 6 + 5.6 * Array.from(text).length, // pixels; the browser passes a measured one
};

/** Group the ends' tops into lines: a sorted list of line tops, each the first top seen. */
function lineTops(tops, sameLine) {
  const sorted = Array.from(new Set(tops)).sort((a, b) => a - b);
  const lines = [];
  for (const top of sorted) if (!lines.length || top - lines[lines.length - 1] >= sameLine) lines.push(top);
  return lines;
}

function lineOf(lines, top, sameLine) {
  for (let i = lines.length - 1; i >= 0; i--) if (top >= lines[i] - sameLine / 2) return lines[i];
  return lines[0];
}

/**
 * Lay out `links` ([{id, type, source: {x, top}, target: {x, top}}]).
 * Returns [{id, type, pieces: [{line, level, y, x1, x2, sourceEnd, targetEnd, labelX, labelWidth,
 * path}]}] where `line` is the line's top, `y` the level run's height, `x1 <= x2`, `sourceEnd` /
 * `targetEnd` say whether the piece drops to that end (false on the edge-running side), and `path`
 * is an SVG path (d attribute). The arrowhead goes at the target end.
 */
export function layoutArcs(links, options = {}) {
  const o = Object.assign({}, DEFAULTS, options);
  const lines = lineTops(links.flatMap((link) => [link.source.top, link.target.top]), o.sameLine);
  const pieces = [];
  const laid = links.map((link) => {
    const s = { x: link.source.x, line: lineOf(lines, link.source.top, o.sameLine) };
    const t = { x: link.target.x, line: lineOf(lines, link.target.top, o.sameLine) };
    const width = o.labelWidth(link.type);
    const out = { id: link.id, type: link.type, pieces: [] };
    if (s.line === t.line) {
      let [x1, x2] = s.x <= t.x ? [s.x, t.x] : [t.x, s.x];
      if (x2 - x1 < o.minWidth) {
        // Ends that coincide (nested spans centred alike): spread them apart.
        const middle = (x1 + x2) / 2;
        x1 = middle - o.minWidth / 2;
        x2 = middle + o.minWidth / 2;
      }
      out.pieces.push({ line: s.line, x1, x2, sourceEnd: true, targetEnd: true, targetRight: t.x >= s.x, labelWidth: width });
    } else {
      const [first, second] = s.line < t.line ? [s, t] : [t, s];
      const firstIsSource = first === s;
      // The arrow points from source to target: rightwards when the source comes first.
      out.pieces.push({ line: first.line, x1: first.x, x2: Math.max(o.right, first.x + o.minWidth),
        sourceEnd: firstIsSource, targetEnd: !firstIsSource, targetRight: firstIsSource, labelWidth: width });
      out.pieces.push({ line: second.line, x1: Math.min(o.left, second.x - o.minWidth), x2: second.x,
        sourceEnd: !firstIsSource, targetEnd: firstIsSource, targetRight: firstIsSource, labelWidth: width });
    }
    pieces.push(...out.pieces);
    return out;
  });
  stack(pieces, o);
  for (const piece of pieces) {
    piece.y = piece.line - o.base - piece.level * o.levelHeight;
    piece.path = pathOf(piece, o.radius);
  }
  return laid;
}

/** The horizontal extent a piece claims on its level: its run and its label, plus padding. */
function extent(piece, pad) {
  const half = piece.labelWidth / 2;
  return [Math.min(piece.x1, piece.labelX - half) - pad, Math.max(piece.x2, piece.labelX + half) + pad];
}

/** Give each piece a level: per line, shorter pieces first, each on the lowest free level. */
function stack(pieces, o) {
  const byLine = new Map();
  for (const piece of pieces) {
    piece.labelX = (piece.x1 + piece.x2) / 2;
    if (!byLine.has(piece.line)) byLine.set(piece.line, []);
    byLine.get(piece.line).push(piece);
  }
  for (const onLine of byLine.values()) {
    onLine.sort((a, b) => (a.x2 - a.x1) - (b.x2 - b.x1) || a.x1 - b.x1);
    const levels = []; // per level, the claimed [from, to] intervals
    for (const piece of onLine) {
      const [from, to] = extent(piece, o.pad);
      let level = 0;
      while (levels[level] && levels[level].some(([a, b]) => from < b && a < to)) level++;
      (levels[level] = levels[level] || []).push([from, to]);
      piece.level = level;
    }
  }
}

/** Number with at most one decimal, for compact paths. */
const n = (value) => String(Math.round(value * 10) / 10);

/** The SVG path of a piece: up from each end it drops to, level at `y`, rounded corners. */
export function pathOf(piece, radius = 4) {
  const { x1, x2, y, line } = piece;
  const r = Math.max(0, Math.min(radius, (x2 - x1) / 2, (line - y) / 2));
  const leftDrops = piece.targetRight ? piece.sourceEnd : piece.targetEnd;
  const rightDrops = piece.targetRight ? piece.targetEnd : piece.sourceEnd;
  const parts = [];
  if (leftDrops) parts.push("M" + n(x1) + " " + n(line), "L" + n(x1) + " " + n(y + r), "Q" + n(x1) + " " + n(y) + " " + n(x1 + r) + " " + n(y));
  else parts.push("M" + n(x1) + " " + n(y));
  if (rightDrops) parts.push("L" + n(x2 - r) + " " + n(y), "Q" + n(x2) + " " + n(y) + " " + n(x2) + " " + n(y + r), "L" + n(x2) + " " + n(line));
  else parts.push("L" + n(x2) + " " + n(y));
  return parts.join(" ");
}

/** The arrowhead at a piece's target end (a small filled triangle pointing down), or null. */
export function arrowOf(piece, size = 4) {
  if (!piece.targetEnd) return null;
  const x = piece.targetRight ? piece.x2 : piece.x1;
  const y = piece.line;
  return "M" + n(x - size) + " " + n(y - size * 1.6) + " L" + n(x + size) + " " + n(y - size * 1.6) + " L" + n(x) + " " + n(y) + " Z";
}

/** How many levels each line needs (line top -> count), for the caller to check the room. */
export function levelsPerLine(laid) {
  const counts = new Map();
  for (const link of laid) for (const piece of link.pieces) counts.set(piece.line, Math.max(counts.get(piece.line) || 0, piece.level + 1));
  return counts;
}

/** The room a stack of `levels` levels needs between the text of one line and the text of the
 * line above: the line height (px) that keeps the top label clear of the line above's text and
 * its underlines. `content` is the text's content-area height (about 1.15 of its font size),
 * `below` what the underlines of the line above take under its text; 0 levels need nothing. */
export function lineHeightFor(levels, options = {}) {
  const o = Object.assign({ content: 20, below: 4, labelHeight: 12, clearance: 2 }, DEFAULTS, options);
  if (levels <= 0) return 0;
  return o.content + o.below + o.base + (levels - 1) * o.levelHeight + o.labelHeight / 2 + o.clearance;
}

/** A stand-in for a link's end on another block of the text: on a line far above (the end comes
 * earlier) or far below (later), so that layoutArcs routes the piece on this block to the edge. */
export const ELSEWHERE = 1e6;
export function elsewhere(before) { return { x: 0, top: before ? -ELSEWHERE : ELSEWHERE }; }

/** Lay out the links that touch one block of the text (ends on other blocks given by elsewhere())
 * and keep only the pieces on this block's lines. Each line's stacking depends only on the pieces
 * on that line, so laying out block by block gives the same levels as laying out the whole text. */
export function layoutBlock(links, options = {}) {
  const near = (piece) => Math.abs(piece.line) < ELSEWHERE / 2;
  return layoutArcs(links, options)
    .map((arc) => Object.assign(arc, { pieces: arc.pieces.filter(near) }))
    .filter((arc) => arc.pieces.length);
}
