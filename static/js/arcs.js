/* Links drawn on the text: each link as an arc from its source span to its target span, its type
 * on the arc (geometry in arc_layout.js). The arcs are an SVG layer over the text that takes the
 * pointer only on the arcs themselves, so selecting text under it works as before.
 *
 * arcLayer draws them, for the workspace and for the gold text of the comparison page (read-only).
 * A long text comes in blocks (highlight.render) that the browser lays out only near the viewport
 * (content-visibility): the arcs are drawn block by block, one SVG group per block, and only for
 * blocks near the viewport, so measuring them never forces the layout of the whole text. A block
 * is drawn again only when what it shows changes (a span or link on it, added, moved, relabelled,
 * saved) or the text reflows (width, fonts, tags); its group moves with the block otherwise.
 * All measuring of a drawing comes first, then all writing. A block whose lines need more stacked
 * levels than the text's line height leaves room for gets a taller line height of its own.
 *
 * In the workspace (setupArcs): hovering a span lights its arcs (links.js lights the spans at
 * their other ends); hovering an arc lights it and its two spans. Clicking an arc selects its link:
 * a small menu relabels its type (types that fit its spans, same direction) or deletes it, through
 * the workspace's undoable actions and save queue; read-only views only show what the link joins.
 * A button with aria-pressed hides or shows the arcs, remembered per browser. The arcs are
 * aria-hidden: the side panel's link list says the same to assistive technology and is
 * keyboard-operable. */
import { arrowOf, elsewhere, layoutBlock, lineHeightFor } from "./arc_layout.js";
import { fits, linkData, linkItems, marksOf, preview, spanData } from "./page.js";
import { place, rangeFor } from "./selection.js";

const KEY = "annotator.arcs";
const SVG = "http://www.w3.org/2000/svg";
const LABEL_FONT = "600 10px system-ui, sans-serif";
const LABEL_HEIGHT = 12;
/** How far beyond the viewport (in viewport heights) blocks get their arcs before they show. */
const NEAR = 1;

/** A label's width in pixels, measured once per text. */
function labelMeasurer() {
  const context = document.createElement("canvas").getContext("2d");
  const widths = new Map();
  return (text) => {
    if (!widths.has(text)) {
      let width = 6 + 5.6 * text.length;
      if (context) { context.font = LABEL_FONT; width = Math.ceil(context.measureText(text).width) + 8; }
      widths.set(text, width);
    }
    return widths.get(text);
  };
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function escapeText(value) { return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]); }

/** The label an arc carries: its type, and its value when it has one. */
function labelOf(link) { return link.value ? link.type + ": " + link.value : link.type; }

/** The blocks of a text (highlight.render's <div class="block">), or the text itself when short. */
function blocksOf(text) {
  const blocks = text.querySelectorAll(":scope > .block");
  return blocks.length ? Array.from(blocks) : [text];
}

/** Code points in a string (the blocks' starts are counted in the unit offsets are stored in). */
function codePoints(value) {
  let count = value.length;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) count--;
  }
  return count;
}

/**
 * Arcs over `text()` in `svg`, drawn for the spans and links its options give:
 *   spans()  Map of span id -> {start, end, sig}: code points; sig changes whenever the span's
 *            marks would be drawn differently (label, range, saved or queued)
 *   links()  [{id, type, value, source, target, pending}]
 *   shown()  whether the arcs are shown now; tagsOff() whether the label tags are hidden
 *   classesOf(id)  extra classes of a link's groups (lit, selected)
 *   unmarked(id)   a client rect for a span without marks yet (queued), or null
 * Returns {schedule, draw, keepRoom, redrawAll, draws}.
 */
export function arcLayer(svg, options) {
  const labelWidth = labelMeasurer();
  const groups = new Map(); // block index -> {sig, g, room}
  let starts = null; // code point offset where each block starts (the text never changes)
  let baseLine = null; // the text's own line height, px
  let draws = 0;
  let frame = 0;
  let stopped = false;
  let observed = null; // the blocks the observers watch
  const near = new Set(); // blocks near the viewport (IntersectionObserver)
  const intersections = window.IntersectionObserver ? new IntersectionObserver((entries) => {
    let arrived = false;
    for (const entry of entries) {
      if (entry.isIntersecting) { arrived = arrived || !near.has(entry.target); near.add(entry.target); }
      else near.delete(entry.target);
    }
    if (arrived) schedule();
  }, { rootMargin: NEAR * 100 + "% 0px" }) : null;
  const resizes = window.ResizeObserver ? new ResizeObserver(() => schedule()) : null;

  /** Draw after the next frame is painted: what the annotator just did (a new highlight, a moved
   * boundary) shows first, the arcs a frame later. */
  function schedule() {
    if (!frame && !stopped) frame = requestAnimationFrame(() => setTimeout(() => { frame = 0; draw(); }, 0));
  }

  function observe(blocks) {
    if (observed && observed.length === blocks.length && observed.every((block, i) => block === blocks[i])) return;
    if (intersections) { intersections.disconnect(); near.clear(); }
    if (resizes) resizes.disconnect();
    for (const block of blocks) {
      if (intersections && blocks.length > 1) intersections.observe(block);
      if (resizes && blocks.length > 1) resizes.observe(block); // a block laid out moves those below
    }
    observed = blocks;
  }

  function blockOf(offset) {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= offset) lo = mid; else hi = mid - 1; }
    return lo;
  }

  /** The room a block's lines get: the text's own line height, or more for a tall stack. */
  function setRoom(block, room) {
    const value = room ? room + "px" : "";
    if (block.style.lineHeight !== value) block.style.lineHeight = value;
  }
  /** After the text is drawn anew (a save): the blocks keep the room they had, at once, before
   * it is painted, so the text does not jump while the arcs wait for their frame. */
  function keepRoom() {
    const text = options.text();
    if (!text) return;
    const blocks = blocksOf(text);
    for (const [index, group] of groups) if (blocks[index] && group.room) setRoom(blocks[index], group.room);
  }

  function draw() {
    if (stopped) return;
    const started = performance.now();
    const text = options.text();
    if (!text || !options.shown()) { svg.style.display = "none"; return; }
    svg.style.display = "";
    const blocks = blocksOf(text);
    observe(blocks);
    if (!starts || starts.length !== blocks.length) {
      starts = [];
      let seen = 0;
      for (const block of blocks) { starts.push(seen); seen += codePoints(block.textContent); }
    }
    // ---- what each block shows: its signature ---------------------------------------------
    const spans = options.spans();
    const sigs = blocks.map(() => []);
    const touching = blocks.map(() => []);
    const blockOfSpan = new Map();
    for (const [id, span] of spans) {
      const first = blockOf(span.start), last = blockOf(Math.max(span.start, span.end - 1));
      blockOfSpan.set(id, first);
      for (let i = first; i <= last; i++) sigs[i].push(span.sig);
    }
    for (const link of options.links()) {
      const from = blockOfSpan.get(link.source), to = blockOfSpan.get(link.target);
      if (from === undefined || to === undefined) continue;
      const sig = [link.id, labelOf(link), link.source, link.target, link.pending ? 1 : 0, from - to].join(" ");
      const item = { link, from, to };
      touching[from].push(item);
      sigs[from].push(sig);
      if (to !== from) { touching[to].push(item); sigs[to].push(sig); }
    }
    // ---- read: the geometry of every block that needs drawing ------------------------------
    const box = text.getBoundingClientRect();
    const style = getComputedStyle(text);
    if (baseLine === null) baseLine = parseFloat(style.lineHeight) || 0;
    const fontSize = parseFloat(style.fontSize) || 16;
    const edges = { left: parseFloat(style.paddingLeft) || 0, right: box.width - (parseFloat(style.paddingRight) || 0), labelWidth };
    const reflow = [box.width, fontSize, options.tagsOff() ? 1 : 0].join(" ");
    const view = { top: -NEAR * window.innerHeight, bottom: (1 + NEAR) * window.innerHeight };
    const rects = blocks.map((block) => (block === text ? box : block.getBoundingClientRect()));
    const tops = rects.map((rect) => rect.top - box.top);
    const todo = [];
    blocks.forEach((block, index) => {
      const sig = reflow + "\n" + sigs[index].join("\n");
      const group = groups.get(index);
      if (group && group.sig === sig) return;
      if (!touching[index].length) { // nothing to draw here (any more)
        if (group) { group.g.remove(); setRoom(block, 0); groups.delete(index); }
        return;
      }
      const rect = rects[index];
      const isNear = blocks.length === 1 || near.has(block) || (rect.bottom > view.top && rect.top < view.bottom);
      if (isNear) todo.push({ index, block, sig });
    });
    const measure = (job) => {
      const origin = job.block === text ? box.top : job.block.getBoundingClientRect().top;
      const anchor = (id) => {
        const mark = job.block.querySelector('mark[data-span="' + CSS.escape(id) + '"]');
        const rect = (mark && mark.getClientRects()[0]) || (options.unmarked && options.unmarked(id));
        return rect ? { x: rect.left + rect.width / 2 - box.left, top: rect.top - origin } : null;
      };
      const items = [];
      for (const { link, from, to } of touching[job.index]) {
        const source = from === job.index ? anchor(link.source) : elsewhere(from < job.index);
        const target = to === job.index ? anchor(link.target) : elsewhere(to < job.index);
        if (source && target) items.push({ id: link.id, type: labelOf(link), source, target, link });
      }
      job.laid = layoutBlock(items, edges);
      const links = new Map(items.map((item) => [item.id, item.link]));
      for (const arc of job.laid) arc.link = links.get(arc.id);
      const levels = Math.max(0, ...job.laid.flatMap((arc) => arc.pieces.map((piece) => piece.level + 1)));
      const needed = lineHeightFor(levels, { content: fontSize * 1.15 });
      job.room = needed > baseLine ? Math.ceil(needed) : 0;
    };
    todo.forEach(measure);
    // ---- write: room first (then measure again the blocks whose lines moved), then the arcs --
    const moved = todo.filter((job) => {
      const before = job.block.style.lineHeight;
      setRoom(job.block, job.room);
      return job.block.style.lineHeight !== before;
    });
    moved.forEach(measure); // the levels stay (the lines keep their words), the tops move
    for (const job of todo) {
      let group = groups.get(job.index);
      if (!group) {
        group = { g: svgElement("g", { class: "arc-block" }) };
        groups.set(job.index, group);
        svg.append(group.g);
      }
      group.sig = job.sig;
      group.room = job.room;
      group.g.innerHTML = arcsHtml(job.laid, options.classesOf);
    }
    // every group where its block is now (a block laid out for the first time moves those below)
    const after = moved.length ? blocks.map((block) => (block === text ? 0 : block.getBoundingClientRect().top - box.top)) : tops;
    for (const [index, group] of groups) {
      if (index >= blocks.length) { group.g.remove(); groups.delete(index); continue; }
      const y = "translate(0 " + Math.round(after[index] * 10) / 10 + ")";
      if (group.g.getAttribute("transform") !== y) group.g.setAttribute("transform", y);
    }
    Object.assign(svg.style, { left: box.left + window.scrollX + "px", top: box.top + window.scrollY + "px",
      width: box.width + "px", height: box.height + "px" });
    draws++;
    // For bench/workspace_bench.py (and anyone profiling): when, how long, how many.
    performance.mark("annotator:arcs-drawn", { detail: { ms: performance.now() - started,
      arcs: todo.reduce((sum, job) => sum + job.laid.length, 0), blocks: todo.length } });
  }

  /** Draw every block again (the text reflowed: fonts, tags, width). */
  function redrawAll() {
    for (const group of groups.values()) group.sig = null;
    schedule();
  }

  /** Let go of the observers (the text was replaced by another page's content). */
  function stop() {
    if (intersections) intersections.disconnect();
    if (resizes) resizes.disconnect();
    stopped = true;
  }

  return { schedule, draw, keepRoom, redrawAll, stop, draws: () => draws };
}

/** Hovering an arc lights it and the marks of its two spans (`marksOf(id)`). */
function lightArcEnds(svg, marksOf, light) {
  const lightEnds = (group, on) => {
    light([group.dataset.relation], on);
    for (const end of [group.dataset.source, group.dataset.target]) {
      for (const mark of marksOf(end)) mark.classList.toggle("arc-end", on);
    }
  };
  svg.addEventListener("mouseover", (event) => {
    const group = event.target.closest("g.arc");
    if (group) lightEnds(group, true);
  });
  svg.addEventListener("mouseout", (event) => {
    const group = event.target.closest("g.arc");
    if (group && !group.contains(event.relatedTarget)) lightEnds(group, false);
  });
}
function lighter(svg, lit) {
  return (ids, on) => {
    for (const id of ids) {
      if (on) lit.add(id); else lit.delete(id);
      for (const group of svg.querySelectorAll('g.arc[data-relation="' + CSS.escape(id) + '"]')) group.classList.toggle("lit", on);
    }
  };
}

/** The gold text of the comparison page (#gold-text) with its links (#gold-arcs, JSON from the
 * server) as arcs: read-only, lit on hover; the gold links table below says the same in words.
 * Returns the layer (stop() it when htmx replaces the page's content), or null. */
export function setupGoldArcs() {
  const text = document.getElementById("gold-text");
  const data = document.getElementById("gold-arcs");
  if (!text || !data) return null;
  const { spans, links } = JSON.parse(data.textContent);
  const svg = svgElement("svg", { class: "arcs gold-arcs", "aria-hidden": "true" });
  text.after(svg);
  const lit = new Set();
  const layer = arcLayer(svg, {
    text: () => text,
    spans: () => new Map(spans.map((span) => [span.id, { start: span.start, end: span.end,
      sig: [span.id, span.start, span.end, span.label].join(" ") }])),
    links: () => links,
    shown: () => text.isConnected,
    tagsOff: () => false,
    classesOf: (id) => (lit.has(id) ? "lit" : ""),
  });
  const marks = (id) => text.querySelectorAll('mark[data-span="' + CSS.escape(id) + '"]');
  lightArcEnds(svg, marks, lighter(svg, lit));
  const redraw = () => (text.isConnected ? layer.schedule() : window.removeEventListener("resize", redraw));
  window.addEventListener("resize", redraw);
  if (document.fonts) document.fonts.ready.then(layer.redrawAll);
  layer.draw();
  return layer;
}

/** One block's arcs as SVG markup: one string and one parse, about half the time of creating
 * the elements one by one. */
function arcsHtml(laid, classesOf) {
  const out = [];
  for (const arc of laid) {
    const { link } = arc;
    const extra = classesOf ? classesOf(arc.id) : "";
    out.push('<g class="arc' + (link.pending ? " pending" : "") + (extra ? " " + extra : "")
      + '" data-relation="' + escapeText(arc.id) + '" data-source="' + escapeText(link.source)
      + '" data-target="' + escapeText(link.target) + '" data-type="' + escapeText(link.type) + '">');
    for (const piece of arc.pieces) {
      const head = arrowOf(piece);
      out.push('<path class="arc-hit" d="' + piece.path + '"/><path class="arc-line" d="' + piece.path + '"/>'
        + (head ? '<path class="arc-head" d="' + head + '"/>' : "")
        + '<rect class="arc-label-box" x="' + (piece.labelX - piece.labelWidth / 2) + '" y="' + (piece.y - LABEL_HEIGHT / 2)
        + '" width="' + piece.labelWidth + '" height="' + LABEL_HEIGHT + '" rx="3"/>'
        + '<text class="arc-label" x="' + piece.labelX + '" y="' + (piece.y + 3.5) + '">' + escapeText(arc.type) + "</text>");
    }
    out.push("</g>");
  }
  return out.join("");
}

/** The workspace's spans as arcLayer wants them, from the side panel's list. Read with
 * getAttribute and joined with +: for 1,000 spans, a third of the time of dataset and join
 * (it runs on every drawing, the first one before the arcs are painted). */
function listedSpans() {
  const spans = new Map();
  for (const item of document.querySelectorAll("#span-list li[data-span]")) {
    const id = item.getAttribute("data-span"), start = item.getAttribute("data-start"), end = item.getAttribute("data-end");
    spans.set(id, { start: +start, end: +end,
      sig: id + " " + start + " " + end + " " + item.getAttribute("data-label") + " " + item.className
        + " " + (item.getAttribute("data-shown-start") || "") });
  }
  return spans;
}

export function setupArcs(ws, storage = window.localStorage) {
  const { root } = ws;
  const body = document.getElementById("body");
  if (!body || (!ws.relationTypes.length && !linkItems().length)) return null; // nothing to draw, ever
  const svg = svgElement("svg", { id: "arcs", class: "arcs", "aria-hidden": "true" });
  root.append(svg);
  const menu = document.createElement("div");
  menu.id = "arc-menu";
  menu.className = "popover arc-menu";
  menu.setAttribute("role", "dialog");
  menu.setAttribute("aria-label", "Link");
  menu.hidden = true;
  root.append(menu);

  let shown = storage.getItem(KEY) !== "off";
  const lit = new Set(); // relation ids lit by hover
  let selected = null; // relation id of the link whose menu is open
  const layer = arcLayer(svg, {
    text: () => document.getElementById("text"),
    spans: listedSpans,
    links: () => linkItems().map((item) => Object.assign(linkData(item), { pending: item.classList.contains("pending") })),
    shown: () => shown,
    tagsOff: () => root.classList.contains("tags-off"),
    classesOf: (id) => (lit.has(id) ? "lit" : "") + (selected === id ? " selected" : ""),
    unmarked: (id) => { // a span painted from the queue, not yet in the server's rendering
      const span = spanData(id);
      const range = span && rangeFor(span.start, span.end);
      return (range && range.getClientRects()[0]) || null;
    },
  });

  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.id = "show-arcs";
  toggle.className = "toggle";
  toggle.textContent = "link arcs";
  toggle.title = "Show or hide the links drawn over the text";
  const legend = document.getElementById("legend");
  if (legend) {
    const item = document.createElement("li");
    item.append(toggle);
    legend.append(item);
  }
  function applyShown() {
    toggle.setAttribute("aria-pressed", String(shown));
    root.classList.toggle("arcs-off", !shown);
    if (!shown) closeMenu();
  }
  toggle.addEventListener("click", () => {
    shown = !shown;
    storage.setItem(KEY, shown ? "on" : "off");
    applyShown();
    layer.schedule();
  });

  // ---- hover -------------------------------------------------------------------------------
  const light = lighter(svg, lit);
  let hoveredSpan = null;
  document.addEventListener("mouseover", (event) => {
    if (!event.target.closest || svg.contains(event.target)) return; // an arc lights itself
    const mark = event.target.closest("#text mark[data-span]");
    const id = mark ? mark.dataset.span : null;
    if (id === hoveredSpan) return;
    if (hoveredSpan) light(linkItems().filter((item) => item.dataset.source === hoveredSpan
      || item.dataset.target === hoveredSpan).map((item) => item.dataset.relation), false);
    hoveredSpan = id;
    if (id) light(linkItems().filter((item) => item.dataset.source === id || item.dataset.target === id)
      .map((item) => item.dataset.relation), true);
  });
  lightArcEnds(svg, marksOf, light);

  // ---- selecting a link: its menu ------------------------------------------------------------
  function closeMenu() {
    if (menu.hidden) return;
    menu.hidden = true;
    menu.replaceChildren();
    selected = null;
    for (const group of svg.querySelectorAll("g.arc.selected")) group.classList.remove("selected");
  }
  function button(text, className, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }
  function openMenu(id, rect) {
    const item = linkItems().find((candidate) => candidate.dataset.relation === id);
    if (!item) return;
    const link = linkData(item);
    const source = spanData(link.source), target = spanData(link.target);
    if (!source || !target) return;
    closeMenu();
    selected = id;
    for (const group of svg.querySelectorAll('g.arc[data-relation="' + CSS.escape(id) + '"]')) group.classList.add("selected");
    const title = document.createElement("p");
    title.className = "arc-menu-title";
    title.textContent = "«" + preview(source, 30) + "» → " + labelOf(link) + " → «" + preview(target, 30) + "»";
    menu.append(title);
    if (!ws.readOnly) {
      const types = document.createElement("div");
      types.className = "arc-types";
      types.setAttribute("role", "group");
      types.setAttribute("aria-label", "Link type");
      for (const type of ws.relationTypes.filter((candidate) => fits(candidate, source.label, target.label))) {
        const choice = button(type.name, "arc-type", () => {
          if (type.name !== link.type) ws.relabelLink(link, type);
          closeMenu();
        });
        choice.setAttribute("aria-pressed", String(type.name === link.type));
        types.append(choice);
      }
      menu.append(types);
    }
    const row = document.createElement("div");
    row.className = "row";
    if (!ws.readOnly) row.append(button("Delete link", "danger arc-delete", () => { ws.deleteLink(id); closeMenu(); }));
    row.append(button("Close", "link arc-close", closeMenu));
    menu.append(row);
    place(menu, rect);
    (menu.querySelector('.arc-type[aria-pressed="false"]') || menu.querySelector("button")).focus();
  }
  svg.addEventListener("click", (event) => {
    const group = event.target.closest("g.arc");
    if (!group) return;
    event.stopPropagation();
    openMenu(group.dataset.relation, { left: event.clientX - 12, bottom: event.clientY + 6 });
  });
  document.addEventListener("click", (event) => {
    if (!menu.hidden && !menu.contains(event.target)) closeMenu();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !menu.hidden) closeMenu();
  });

  // ---- when to redraw -----------------------------------------------------------------------
  // Only what changes what the arcs show: the text drawn anew (it keeps its blocks' room at
  // once), the span and link lists, the tags or arcs switched. Other classes of the workspace
  // (dragging a boundary, link mode) change nothing here.
  let text = document.getElementById("text");
  new MutationObserver(() => {
    const now = document.getElementById("text");
    if (now !== text) { text = now; layer.keepRoom(); }
    layer.schedule();
  }).observe(body, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["data-type", "data-value", "data-source", "data-target", "data-span", "data-start", "data-end", "data-label"] });
  let switches = "";
  const switched = () => {
    const now = [root.classList.contains("tags-off"), root.classList.contains("arcs-off")].join();
    if (now === switches) return false;
    switches = now;
    return true;
  };
  switched();
  new MutationObserver(() => { if (switched()) layer.schedule(); }).observe(root, { attributes: true, attributeFilter: ["class"] });
  if (window.ResizeObserver) new ResizeObserver(() => layer.schedule()).observe(body); // width: in each block's signature
  window.addEventListener("resize", layer.schedule);
  if (document.fonts) {
    // A font that arrives after the first drawing moves the words: draw every block again then.
    // Fonts already there (the page's are the system's) change nothing: no second full drawing
    // (it took as long as the first, just after the page was shown).
    if (document.fonts.status !== "loaded") document.fonts.ready.then(layer.redrawAll);
    document.fonts.addEventListener("loadingdone", layer.redrawAll);
  }
  applyShown();
  layer.draw(); // now, not in a frame: the page's other start-up work would delay the first paint of the arcs
  return { redraw: layer.draw, draws: layer.draws, shown: () => shown };
}
