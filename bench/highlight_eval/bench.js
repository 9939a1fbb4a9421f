/* In-page half of bench/highlight_eval.py: renders one article's spans with one approach, times it
 * and checks that what is highlighted is exactly text[start:end] (code points).
 *
 * Every timed step ends with `painted()`: force style and layout, wait for the next animation frame,
 * then for a task queued from inside it, which runs after that frame's rendering step (style,
 * layout, paint). Raster and compositing happen off the main thread and are not included.
 * An ES module, as static/offsets.js is; it runs after the classic scripts before it. */
import { codePointsToUtf16 } from "/static/offsets.js";

(function () {
  "use strict";
  const COLORS = { claim: "#d9480f", evidence: "#2b8a3e", attribution: "#1971c2" };
  const SOURCE = "urn:bench:article";
  const text = () => data.text;
  const container = () => document.getElementById("text");
  let data = null; // {text, spans, extra, html, htmlPlus, labelIds}
  let anno = null; // the text annotator instance, approach (c)
  const ranges = new Map(); // span id -> Range, approach (b)

  const violations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
  });
  const longTasks = [];
  new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: "longtask" });

  async function painted() {
    container().getBoundingClientRect();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now();
  }
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- (b) CSS Custom Highlight API --------------------------------------------------------------
  function rangeOf(node, span, units = toUnits) {
    const range = new Range();
    range.setStart(node, units(span.start));
    range.setEnd(node, units(span.end));
    return range;
  }

  // Code points -> UTF-16 units. offsets.js converts one offset per call, scanning the text from
  // its start each time; `oneTable` builds a table in one pass instead (what a batch helper would do).
  let table = null;
  const toUnits = (points) => codePointsToUtf16(text(), points);
  const fromTable = (points) => table[points];
  function oneTable() {
    const s = text();
    table = new Int32Array(s.length + 1);
    let points = 0, units = 0;
    for (; units < s.length; points++) {
      table[points] = units;
      units += s.codePointAt(units) > 0xffff ? 2 : 1;
    }
    table[points] = units;
    return fromTable;
  }

  const cssHighlights = (batch) => ({
    load() {
      const el = container();
      el.textContent = text();
      const node = el.firstChild;
      const units = batch ? oneTable() : toUnits;
      const byLabel = new Map();
      for (const span of data.spans) {
        const range = rangeOf(node, span, units);
        ranges.set(span.id, range);
        if (!byLabel.has(span.label)) byLabel.set(span.label, []);
        byLabel.get(span.label).push(range);
      }
      for (const [label, list] of byLabel) CSS.highlights.set(label, new Highlight(...list));
      return Promise.resolve();
    },
    add(span) {
      const range = rangeOf(container().firstChild, span, batch ? fromTable : toUnits);
      ranges.set(span.id, range);
      if (!CSS.highlights.has(span.label)) CSS.highlights.set(span.label, new Highlight());
      CSS.highlights.get(span.label).add(range);
      return Promise.resolve();
    },
    scrolled: () => Promise.resolve(),
    /** [text, start, end] of what is highlighted, in code points. */
    shown(span, cp) {
      const range = ranges.get(span.id);
      const highlight = CSS.highlights.get(span.label);
      if (!range || !highlight || !highlight.has(range)) return null;
      return [range.toString(), cp[range.startOffset], cp[range.endOffset]];
    },
  });

  // ---- (a) server-rendered nested marks ------------------------------------------------------------
  let fragments = null; // span id -> [[startUnits, endUnits, labelClassOk]]
  const marks = {
    load() { container().innerHTML = data.html; fragments = null; return Promise.resolve(); },
    add() { container().innerHTML = data.htmlPlus; fragments = null; return Promise.resolve(); },
    scrolled: () => Promise.resolve(),
    shown(span, cp) {
      if (!fragments) fragments = collectFragments();
      const parts = (fragments.get(span.id) || []).sort((x, y) => x[0] - y[0]);
      if (!parts.length) return null;
      for (let i = 1; i < parts.length; i++) if (parts[i][0] !== parts[i - 1][1]) return null; // a gap
      if (!parts.every((part) => part[2] === `lab-${data.labelIds[span.label]}`)) return null;
      const start = parts[0][0], end = parts[parts.length - 1][1];
      return [text().slice(start, end), cp[start], cp[end]];
    },
  };

  function collectFragments() {
    const el = container();
    const offsets = new Map();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let units = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      offsets.set(node, units);
      units += node.data.length;
    }
    const found = new Map();
    for (const mark of el.querySelectorAll("mark[data-span]")) {
      const first = document.createTreeWalker(mark, NodeFilter.SHOW_TEXT).nextNode();
      const start = offsets.get(first);
      const label = [...mark.classList].find((name) => name.startsWith("lab-"));
      if (!found.has(mark.dataset.span)) found.set(mark.dataset.span, []);
      found.get(mark.dataset.span).push([start, start + mark.textContent.length, label]);
    }
    return found;
  }

  /** A Range for a span in a container whose text is split over many text nodes (the marks). */
  function rangeOverNodes(span) {
    const units = oneTable();
    const range = new Range();
    const walker = document.createTreeWalker(container(), NodeFilter.SHOW_TEXT);
    const start = units(span.start), end = units(span.end);
    let offset = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = node.data.length;
      if (start >= offset && start < offset + length) range.setStart(node, start - offset);
      if (end > offset && end <= offset + length) { range.setEnd(node, end - offset); break; }
      offset += length;
    }
    return range;
  }

  // ---- (c) @recogito/text-annotator -------------------------------------------------------------------
  function toW3C(span, convert) {
    const start = convert ? fromTable(span.start) : span.start;
    const end = convert ? fromTable(span.end) : span.end;
    return {
      "@context": "http://www.w3.org/ns/anno.jsonld",
      id: span.id,
      type: "Annotation",
      body: [{ type: "TextualBody", purpose: "tagging", value: span.label }],
      target: {
        source: SOURCE,
        selector: [
          { type: "TextQuoteSelector", exact: convert ? text().slice(start, end) : Array.from(text()).slice(start, end).join("") },
          { type: "TextPositionSelector", start, end },
        ],
      },
    };
  }

  /** Resolves at the first redraw of the annotator after which `ready()` holds (NaN after 10 s). */
  function redrawn(ready) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { off(); resolve(false); }, 10000);
      const off = anno.renderer.on("onRedraw", () => {
        if (ready()) { clearTimeout(timer); off(); resolve(true); }
      });
    });
  }

  function recogito(renderer, convert = true) {
    const layer = () => container().querySelector(".r6o-span-highlight-layer");
    const showing = (id) => renderer === "SPANS"
      ? !!layer() && !!layer().querySelector(`[data-annotation="${CSS.escape(id)}"]`)
      : CSS.highlights.has("_" + id);
    const any = () => renderer === "SPANS" ? !!layer() && layer().childElementCount > 0 : CSS.highlights.size > 0;
    return {
      async load() {
        const el = container();
        el.textContent = text();
        const lib = window.RecogitoJS;
        anno = lib.createTextAnnotator(el, {
          adapter: lib.W3CTextFormat(SOURCE, el),
          renderer,
          style: (annotation, state) => ({
            fill: COLORS[annotation.bodies[0] && annotation.bodies[0].value] || "#888888",
            fillOpacity: state && state.selected ? 0.45 : 0.2,
          }),
        });
        if (convert) oneTable();
        const shown = redrawn(any);
        anno.setAnnotations(data.spans.map((span) => toW3C(span, convert)));
        if (!(await shown)) throw new Error("no highlight drawn within 10 s");
      },
      async add(span) {
        const shown = redrawn(() => showing(span.id));
        anno.addAnnotation(toW3C(span, convert));
        if (!(await shown)) throw new Error("the added span was not drawn within 10 s");
      },
      async scrolled() { await redrawn(() => true); },
      shown(span, cp) {
        const annotation = anno.state.store.getAnnotation(span.id);
        if (!annotation) return null;
        const selector = annotation.target.selector[0];
        return [selector.range.toString(), cp[selector.start], cp[selector.end]];
      },
      drawn() {
        return renderer === "SPANS" ? layer().childElementCount : CSS.highlights.size;
      },
    };
  }

  const approaches = {
    marks,
    css: cssHighlights(false),
    "css-table": cssHighlights(true),
    "recogito-spans": recogito("SPANS"),
    "recogito-css": recogito("CSS_HIGHLIGHTS"),
    "recogito-unconverted": recogito("SPANS", false),
  };

  // ---- measuring and checking ---------------------------------------------------------------------
  /** UTF-16 offset -> code point index (-1 inside a surrogate pair); independent of offsets.js. */
  function pointTable(s) {
    const table = new Int32Array(s.length + 1).fill(-1);
    let points = 0;
    for (let units = 0; units < s.length; points++) {
      table[units] = points;
      units += s.codePointAt(units) > 0xffff ? 2 : 1;
    }
    table[s.length] = points;
    return table;
  }

  function check(approach, spans) {
    const cp = pointTable(text());
    const chars = Array.from(text());
    const wrong = [];
    for (const span of spans) {
      const want = chars.slice(span.start, span.end).join("");
      const got = approach.shown(span, cp);
      if (!got || got[0] !== want || got[1] !== span.start || got[2] !== span.end) {
        wrong.push({ id: span.id, start: span.start, end: span.end, got: got && [got[0].slice(0, 40), got[1], got[2]] });
      }
    }
    const fullText = container().textContent === text();
    return { checked: spans.length, exact: spans.length - wrong.length, wrong: wrong.slice(0, 3), fullText };
  }

  /** Recogito's own offset handling: what it records for a selection and what it exports. */
  function recogitoOffsets(spans) {
    const el = container();
    const lib = window.RecogitoJS;
    const cp = pointTable(text());
    const node = el.firstChild;
    let selectionUtf16 = 0, exportCodePoints = 0;
    const exported = new Map();
    for (const annotation of anno.getAnnotations()) {
      const target = Array.isArray(annotation.target) ? annotation.target[0] : annotation.target;
      const position = target.selector.find((s) => s.type === "TextPositionSelector");
      exported.set(annotation.id, position);
    }
    for (const span of spans) {
      const range = rangeOf(node, span); // what a mouse selection of the span gives
      const selector = lib.rangeToSelector(range, el);
      if (selector.start === range.startOffset && selector.end === range.endOffset) selectionUtf16++;
      const position = exported.get(span.id);
      if (position && cp[position.start] === span.start && cp[position.end] === span.end) exportCodePoints++;
    }
    return { selectionUtf16, exportCodePoints, checked: spans.length };
  }

  async function run(kind, options) {
    const approach = approaches[kind];
    const el = container();
    // Start from a timer task: tasks run from Playwright's evaluate are not reported as long tasks.
    await sleep(0);
    const before = longTasks.length;
    const t0 = performance.now();
    await approach.load();
    const load = (await painted()) - t0;
    await sleep(300); // let deferred work (observers, debounced redraws) run before the next step
    const tasks = longTasks.slice(before).map((task) => [Math.round(task.startTime - t0), Math.round(task.duration)]);
    const longest = Math.max(0, ...tasks.map((task) => task[1]));

    const middle = Math.round(document.documentElement.scrollHeight / 2);
    await sleep(0);
    const t1 = performance.now();
    const scrolled = approach.scrolled();
    window.scrollTo(0, middle);
    await scrolled;
    const scroll = (await painted()) - t1;
    const back = approach.scrolled();
    window.scrollTo(0, 0);
    await back;
    await sleep(100);

    const addBefore = longTasks.length;
    const t2 = performance.now();
    await approach.add(data.extra);
    const add = (await painted()) - t2;

    await sleep(300);
    const addLongest = Math.max(0, ...longTasks.slice(addBefore).map((task) => task.duration));
    const result = { load, scroll, add, longest, addLongest, tasks, violations: violations.slice(), height: el.scrollHeight };
    if (kind === "marks") {
      result.fragments = el.querySelectorAll("mark[data-span]").length;
      // A pending highlight for a just-created span, drawn over the marks with the Highlight API
      // before the server's HTML comes back (the span's text is checked too).
      await sleep(100);
      const t3 = performance.now();
      const range = rangeOverNodes(data.extra);
      CSS.highlights.set("pending", new Highlight(range));
      result.pending = (await painted()) - t3;
      result.pendingExact = range.toString() === Array.from(text()).slice(data.extra.start, data.extra.end).join("");
    }
    if (approach.drawn) result.drawn = approach.drawn();
    if (kind === "css") {
      // The share of (b)'s load spent converting code points to UTF-16, per call and in one pass.
      const c0 = performance.now();
      for (const span of data.spans) { toUnits(span.start); toUnits(span.end); }
      const c1 = performance.now();
      const units = oneTable();
      for (const span of data.spans) { units(span.start); units(span.end); }
      result.conversion = c1 - c0;
      result.conversionTable = performance.now() - c1;
    }
    if (options && options.check) {
      const spans = data.spans.concat([data.extra]);
      result.check = check(approach, spans);
      if (kind.startsWith("recogito") && kind !== "recogito-unconverted") result.offsets = recogitoOffsets(spans);
    }
    return result;
  }

  window.HighlightBench = {
    setup(payload) { data = payload; return !!window.RecogitoJS; },
    run,
  };
})();
