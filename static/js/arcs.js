/* Links drawn on the text: each link as an arc from its source span to its target span, its type
 * on the arc (geometry in arc_layout.js). The arcs are an SVG layer over #text that takes the
 * pointer only on the arcs themselves, so selecting text under it works as before. They are
 * redrawn when the text reflows (resize, fonts loaded, tags toggled) and when the spans or links
 * change (the body swapped in after a save, a queued link shown at once, a relabel).
 *
 * Hovering a span lights its arcs (links.js lights the spans at their other ends); hovering an arc
 * lights it and its two spans. Clicking an arc selects its link: a small menu relabels its type
 * (types that fit its spans, same direction) or deletes it, through the workspace's undoable
 * actions and save queue; read-only views only show what the link joins. A button with
 * aria-pressed hides or shows the arcs, remembered per browser. The arcs are aria-hidden: the side
 * panel's link list says the same to assistive technology and is keyboard-operable. */
import { arrowOf, layoutArcs } from "./arc_layout.js";
import { fits, linkData, linkItems, marksOf, preview, spanData } from "./page.js";
import { place, rangeFor } from "./selection.js";

const KEY = "annotator.arcs";
const SVG = "http://www.w3.org/2000/svg";
const LABEL_FONT = "600 10px system-ui, sans-serif";
const LABEL_HEIGHT = 12;

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

export function setupArcs(ws, storage = window.localStorage) {
  const { root } = ws;
  const body = document.getElementById("body");
  if (!body || (!ws.relationTypes.length && !linkItems().length)) return null; // nothing to draw, ever
  const labelWidth = labelMeasurer();
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
    schedule();
  });

  // ---- drawing -------------------------------------------------------------------------------
  let frame = 0;
  let draws = 0;
  const lit = new Set(); // relation ids lit by hover
  let selected = null; // relation id of the link whose menu is open
  /** Draw once the next frame is painted: what the annotator just did (a new highlight, a moved
   * boundary) shows first, the arcs (tens of ms for hundreds of links) a frame later. */
  function schedule() {
    if (!frame) frame = requestAnimationFrame(() => setTimeout(() => { frame = 0; draw(); }, 0));
  }

  function draw() {
    const started = performance.now();
    const text = document.getElementById("text");
    if (!text || !shown) { svg.replaceChildren(); svg.style.display = "none"; return; }
    svg.style.display = "";
    const box = text.getBoundingClientRect();
    const style = getComputedStyle(text);
    Object.assign(svg.style, { left: box.left + window.scrollX + "px", top: box.top + window.scrollY + "px",
      width: box.width + "px", height: box.height + "px" });
    const firstMark = new Map();
    for (const mark of text.querySelectorAll("mark[data-span]")) {
      if (!firstMark.has(mark.dataset.span)) firstMark.set(mark.dataset.span, mark);
    }
    const anchors = new Map();
    const anchor = (id) => {
      if (anchors.has(id)) return anchors.get(id);
      const mark = firstMark.get(id);
      let rect = mark && mark.getClientRects()[0];
      if (!rect) { // a span painted from the queue, not yet in the server's rendering
        const span = spanData(id);
        const range = span && rangeFor(span.start, span.end);
        rect = range && range.getClientRects()[0];
      }
      const found = rect ? { x: rect.left + rect.width / 2 - box.left, top: rect.top - box.top } : null;
      anchors.set(id, found);
      return found;
    };
    const links = [];
    const extra = new Map();
    for (const item of linkItems()) {
      const link = linkData(item);
      const source = anchor(link.source), target = anchor(link.target);
      if (!source || !target) continue;
      links.push({ id: link.id, type: labelOf(link), source, target });
      extra.set(link.id, { pending: item.classList.contains("pending"), link });
    }
    const laid = layoutArcs(links, {
      left: parseFloat(style.paddingLeft) || 0,
      right: box.width - (parseFloat(style.paddingRight) || 0),
      labelWidth,
    });
    // One string and one parse: about half the time of creating the elements one by one.
    const out = [];
    for (const arc of laid) {
      const { pending, link } = extra.get(arc.id);
      out.push('<g class="arc' + (pending ? " pending" : "") + (lit.has(arc.id) ? " lit" : "")
        + (selected === arc.id ? " selected" : "") + '" data-relation="' + escapeText(arc.id)
        + '" data-source="' + escapeText(link.source) + '" data-target="' + escapeText(link.target)
        + '" data-type="' + escapeText(link.type) + '">');
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
    svg.innerHTML = out.join("");
    draws++;
    // For bench/workspace_bench.py (and anyone profiling): when, how long, how many.
    performance.mark("annotator:arcs-drawn", { detail: { ms: performance.now() - started, arcs: laid.length } });
  }

  // ---- hover -------------------------------------------------------------------------------
  function light(ids, on) {
    for (const id of ids) {
      if (on) lit.add(id); else lit.delete(id);
      const group = svg.querySelector('g.arc[data-relation="' + CSS.escape(id) + '"]');
      if (group) group.classList.toggle("lit", on);
    }
  }
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
  function lightEnds(group, on) {
    light([group.dataset.relation], on);
    for (const end of [group.dataset.source, group.dataset.target]) {
      for (const mark of marksOf(end)) mark.classList.toggle("arc-end", on);
    }
  }
  svg.addEventListener("mouseover", (event) => {
    const group = event.target.closest("g.arc");
    if (group) lightEnds(group, true);
  });
  svg.addEventListener("mouseout", (event) => {
    const group = event.target.closest("g.arc");
    if (group && !group.contains(event.relatedTarget)) lightEnds(group, false);
  });

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
  new MutationObserver(schedule).observe(body, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["data-type", "data-value", "data-source", "data-target", "data-span"] });
  new MutationObserver(schedule).observe(root, { attributes: true, attributeFilter: ["class"] });
  if (window.ResizeObserver) new ResizeObserver(schedule).observe(body);
  window.addEventListener("resize", schedule);
  if (document.fonts) {
    document.fonts.ready.then(schedule);
    document.fonts.addEventListener("loadingdone", schedule);
  }
  applyShown();
  draw(); // now, not in a frame: the page's other start-up work would delay the first paint of the arcs
  return { redraw: draw, draws: () => draws, shown: () => shown };
}
