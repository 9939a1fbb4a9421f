/* Suggestions: spans a recommender proposes, drawn with a dashed outline and no fill on top of the
 * text, counted as nobody's until accepted. The page asks for them after it is shown (POST, so
 * recommenders that have not answered yet are asked now); meanwhile a quiet "suggestions pending"
 * mark shows, and a failing recommender only shows a quiet message: the workspace goes on.
 *
 * Accept: a click on a suggestion, its button in the list, or Enter (the current one: focused in
 * the list, else the first in text order); "accept all" per label. Reject: x or Backspace, or its
 * button. Accepting saves a span of the annotator's own with a client-made id (a retry stores one
 * span); both are recorded in the workspace's undo history: undoing an accept deletes the span
 * (through the save queue), undoing a reject takes the rejection back. Offsets are code points. */
import { rangeFor } from "./selection.js";

const PENDING_AFTER_MS = 200;
const RELOAD_AFTER_MS = 100;

// ---- pure helpers (node tests: tests/js/suggestions.test.mjs) ----------------------------------

/** The suggestions left after `id` was accepted or rejected, and which one is current next. */
export function without(list, id) {
  const index = list.findIndex((item) => item.id === id);
  if (index < 0) return { list, next: list.length ? list[0].id : null };
  const rest = list.slice(0, index).concat(list.slice(index + 1));
  const next = rest.length ? rest[Math.min(index, rest.length - 1)].id : null;
  return { list: rest, next };
}

/** Labels with how many suggestions each has, in first-seen order: [{label, labelId, count}]. */
export function countByLabel(list) {
  const counts = new Map();
  for (const item of list) {
    const entry = counts.get(item.label) || { label: item.label, labelId: item.label_id, count: 0 };
    entry.count += 1;
    counts.set(item.label, entry);
  }
  return Array.from(counts.values());
}

/** The suggestion a key acts on: the one whose id is `focusedId`, else the first. */
export function current(list, focusedId) {
  return list.find((item) => item.id === focusedId) || list[0] || null;
}

/** What a key does to suggestions: "accept", "reject" or null. */
export function suggestionKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key === "Enter") return "accept";
  if (event.key === "Backspace" || event.key === "x" || event.key === "X") return "reject";
  return null;
}

// ---- the page ----------------------------------------------------------------------------------

/** Wire the suggestions panel (templates/suggestions/_workspace.html) to the workspace `ws`:
 * `ws.csrf()`, `ws.refreshBody()`, `ws.removeSpan(id)`, `ws.record(step)`, `ws.newId()`; sets
 * `ws.suggestionStep(request)`, which undo and redo call for a step of its own. */
export function setupSuggestions(ws) {
  const panel = document.getElementById("suggestions");
  if (!panel || ws.readOnly) return null;
  const url = panel.dataset.url;
  const listElement = panel.querySelector("#suggestion-list");
  const labelsElement = panel.querySelector("#suggestion-labels");
  const pendingMark = panel.querySelector("#suggestions-pending");
  const problem = panel.querySelector("#suggestion-problem");
  const countElement = panel.querySelector("#suggestion-count");
  const layer = document.createElement("div");
  layer.className = "suggestion-layer";
  layer.setAttribute("aria-hidden", "true");
  document.body.append(layer);
  let list = [];
  let focusedId = null;

  async function call(method, path, body) {
    const response = await fetch(url + path, {
      method, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": ws.csrf(), "X-Requested-With": "fetch" },
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = null;
    try { data = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) throw new Error((data && data.error) || "the server answered " + response.status);
    return data;
  }

  // How many accepts and rejects were pressed here. An answer asked for before the latest of them
  // is older than the list on screen (a reject pressed while a reload was on its way would come
  // back): such an answer is dropped and the list asked for again, after the pending requests.
  let actions = 0;

  let known = false; // an answer has said whether this annotator sees suggestions here

  async function load(method) {
    await last.catch(() => null); // the server first has what was pressed
    const asked = actions;
    // Only a slow first answer shows the mark (and the panel, until it is known whether there are
    // suggestions); a slow reload after a save shows the mark only in a panel already shown, so
    // the text never jumps down and back while the server is busy.
    const slow = setTimeout(() => {
      if (!known) panel.hidden = false;
      pendingMark.hidden = false;
    }, PENDING_AFTER_MS);
    try {
      const data = await call(method, "");
      if (asked !== actions) {
        clearTimeout(slow);
        return load("GET");
      }
      show(data);
    } catch (error) {
      panel.hidden = false;
      problem.textContent = "Suggestions are unavailable right now; annotate as usual.";
      problem.hidden = false;
    } finally {
      clearTimeout(slow);
      pendingMark.hidden = true;
    }
  }

  function show(data) {
    known = true;
    panel.dataset.state = data.state;
    panel.hidden = data.state === "off" || data.state === "hidden";
    problem.textContent = data.problem || "";
    problem.hidden = !data.problem;
    list = data.suggestions || [];
    render();
  }

  function render() {
    countElement.textContent = String(list.length);
    listElement.replaceChildren(...list.map((item) => {
      const entry = document.createElement("li");
      entry.dataset.suggestion = item.id;
      entry.className = "suggestion-item" + (item.id === focusedId ? " current" : "");
      const swatch = document.createElement("span");
      swatch.className = "swatch lab-" + item.label_id;
      const what = item.label + " «" + shorten(item.text, 60) + "»";
      const accept = button("accept", "suggestion-accept", what);
      accept.addEventListener("focus", () => { focusedId = item.id; mark(); });
      const reject = button("reject", "suggestion-reject", what);
      reject.addEventListener("focus", () => { focusedId = item.id; mark(); });
      entry.append(swatch, what + " ", accept, " ", reject);
      return entry;
    }));
    labelsElement.replaceChildren(...countByLabel(list).map(({ label, labelId, count }) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "label-button lab-" + labelId;
      button.dataset.acceptAll = label;
      button.textContent = "Accept all " + label + " (" + count + ")";
      return button;
    }));
    draw();
  }

  function mark() {
    for (const entry of listElement.children) entry.classList.toggle("current", entry.dataset.suggestion === String(focusedId));
    for (const box of layer.children) box.classList.toggle("current", box.dataset.suggestion === String(focusedId));
  }

  /** Dashed boxes over the text, one per line a suggestion covers (pointer events pass through:
   * the text under a suggestion can still be selected). */
  function draw() {
    const boxes = [];
    const currentId = (current(list, focusedId) || {}).id;
    for (const item of list) {
      const range = rangeFor(item.start, item.end);
      if (!range) continue;
      for (const rect of range.getClientRects()) {
        if (!rect.width) continue;
        const box = document.createElement("div");
        box.className = "suggestion-box lab-" + item.label_id + (item.id === currentId ? " current" : "");
        box.dataset.suggestion = item.id;
        box.style.left = (rect.left + window.scrollX - 1) + "px";
        box.style.top = (rect.top + window.scrollY - 1) + "px";
        box.style.width = (rect.width + 2) + "px";
        box.style.height = (rect.height + 2) + "px";
        boxes.push(box);
      }
    }
    layer.replaceChildren(...boxes);
  }

  function remember(id) {
    const result = without(list, id);
    list = result.list;
    focusedId = result.next;
    render();
    const next = listElement.querySelector('[data-suggestion="' + focusedId + '"] .suggestion-accept');
    if (next && panel.contains(document.activeElement)) next.focus();
  }

  // A suggestion step's requests are data, kept in the undo history beside the save queue (so
  // undo survives a reload): {method, path, refresh?} to the suggestions API, or {deleteSpan: id}
  // through the save queue. They run one after the other, in the order the keys were pressed.
  let last = Promise.resolve();
  function perform(request) {
    if (request.deleteSpan) {
      ws.removeSpan(request.deleteSpan);
      return Promise.resolve();
    }
    return call(request.method, request.path).then(() => (request.refresh ? ws.refreshBody() : null));
  }
  function run(request, failed) {
    last = last.then(() => perform(request)).catch((error) => {
      problem.textContent = failed + error.message;
      problem.hidden = false;
    });
    return last;
  }
  /** Undo or redo of a recorded suggestion step (main.js calls it), then the list anew. */
  ws.suggestionStep = (request) => run(request, "Not changed: ").then(() => load("GET"));

  /** Do `redo` now and record the step (`undo` takes it back). */
  function act(item, redo, undo, what, failed) {
    actions += 1;
    remember(item.id);
    ws.record({ what, spans: [], suggestion: { redo, undo } });
    return run(redo, failed);
  }

  function accept(item) {
    const spanId = ws.newId();
    return act(
      item,
      { method: "PUT", path: "/" + item.id + "/accept/" + encodeURIComponent(spanId), refresh: true },
      { deleteSpan: spanId },
      "accepting a suggestion",
      "Not accepted: ",
    );
  }

  function reject(item) {
    const path = "/" + item.id + "/rejection";
    return act(item, { method: "PUT", path }, { method: "DELETE", path }, "rejecting a suggestion",
      "Not rejected: ");
  }

  async function acceptAll(label) {
    for (const item of list.filter((entry) => entry.label === label)) await accept(item);
  }

  panel.addEventListener("click", (event) => {
    const all = event.target.closest("[data-accept-all]");
    if (all) { acceptAll(all.dataset.acceptAll); return; }
    const entry = event.target.closest("li[data-suggestion]");
    const item = entry && list.find((candidate) => String(candidate.id) === entry.dataset.suggestion);
    if (!item) return;
    if (event.target.closest(".suggestion-reject")) reject(item);
    else if (event.target.closest(".suggestion-accept")) accept(item);
  });

  // A click on a suggested stretch of text (not on a span, not ending a selection) accepts it.
  document.addEventListener("click", (event) => {
    if (!event.target.closest || !event.target.closest("#text") || event.target.closest("#text mark")) return;
    if (ws.state.linking || !window.getSelection().isCollapsed) return;
    const hit = Array.from(layer.children).find((box) => {
      const rect = box.getBoundingClientRect();
      return event.clientX >= rect.left && event.clientX <= rect.right && event.clientY >= rect.top && event.clientY <= rect.bottom;
    });
    const item = hit && list.find((candidate) => String(candidate.id) === hit.dataset.suggestion);
    if (item) accept(item);
  });

  document.addEventListener("keydown", (event) => {
    const action = suggestionKey(event);
    if (!action || !list.length) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    // a focused button: Enter clicks it (the browser does); x/Backspace reject only in the panel
    if (target.closest && target.closest("button, a") && (action === "accept" || !panel.contains(target))) return;
    if (ws.state.pendingSelection || ws.state.editing || ws.state.linking) return;
    const item = current(list, focusedId);
    if (!item) return;
    event.preventDefault();
    if (action === "accept") accept(item); else reject(item);
  });

  // A new rendering of the text (after any save, an undo included): redraw, and ask again what is
  // suggested (a span deleted by an undo lets its suggestion come back).
  let reloadTimer = null;
  new MutationObserver(() => {
    draw();
    if (!loaded) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => load("GET"), RELOAD_AFTER_MS);
  }).observe(document.getElementById("body"), { childList: true });
  window.addEventListener("resize", () => draw());
  let loaded = false;
  load("POST").then(() => { loaded = true; });
  return { list: () => list.slice(), reload: () => load("GET") };
}

/** A small button whose name starts with its visible word ("accept claim «…»"). */
function button(word, className, what) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "link " + className;
  element.textContent = word;
  element.setAttribute("aria-label", word + " " + what);
  return element;
}

function shorten(text, size) {
  const chars = Array.from(text);
  return chars.length > size ? chars.slice(0, size - 1).join("") + "…" : text;
}
