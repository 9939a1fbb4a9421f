/* annotator workspace: text selection, label keys, span popover, undo and the save queue.
 *
 * The server renders the text with its highlights (templates/workspace/_body.html); this script
 * only measures selections, sends span changes to the JSON API and then lets htmx swap the freshly
 * rendered body in. Changes wait in a queue kept in localStorage until the server acknowledges
 * them: a failed request is retried with back-off, a reload resumes the queue, and client-made
 * span ids make every retry idempotent. */
(function () {
  "use strict";
  const root = document.getElementById("workspace");
  if (!root) return;
  const { utf16ToCodePoints, codePointsToUtf16, adjust } = window.AnnotatorOffsets;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const spansUrl = root.dataset.spansUrl;
  const bodyUrl = root.dataset.bodyUrl;
  const snap = root.dataset.snap === "true";
  const readOnly = root.dataset.readOnly === "true";
  const queueKey = "annotator.queue." + spansUrl;
  const toolbar = document.getElementById("toolbar");
  const popover = document.getElementById("popover");
  const saveState = document.getElementById("save-state");
  const undoStack = [];
  const labelIds = {}; // label name -> label id (for the CSS class / highlight name)
  for (const button of toolbar.querySelectorAll("[data-label]")) labelIds[button.dataset.label] = button.dataset.labelId;
  let pendingSelection = null; // {start, end, text} in code points
  let editing = null; // span id in the popover

  // ---- state shown to the annotator ------------------------------------------------------
  function showState(state, message) {
    saveState.className = "save-state " + state;
    saveState.textContent = message || state;
  }

  // ---- the save queue --------------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  let queue = loadQueue();
  function storeQueue() { localStorage.setItem(queueKey, JSON.stringify(queue)); }
  let sending = false;
  let attempt = 0;
  let refused = null; // message of a change the server refused, shown once the queue drains

  function enqueue(op) {
    queue.push(op);
    storeQueue();
    pump();
  }

  async function pump() {
    if (sending) return;
    if (!queue.length) return;
    sending = true;
    const op = queue[0];
    showState("saving", attempt ? "retrying…" : "saving…");
    let outcome;
    try {
      const response = await fetch(spansUrl + "/" + encodeURIComponent(op.id), {
        method: op.method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: op.method === "PUT" ? JSON.stringify(op.body) : undefined,
        credentials: "same-origin",
      });
      if (response.ok) outcome = "done";
      else if (response.status >= 500 || response.status === 429 || response.status === 408) outcome = "retry";
      else {
        let message = "refused (" + response.status + ")";
        try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
        outcome = { refused: message };
      }
    } catch (e) {
      outcome = "retry"; // network down or server gone: keep the change and try again
    }
    sending = false;
    if (outcome === "retry") {
      attempt++;
      const delay = Math.min(30000, 500 * 2 ** Math.min(attempt - 1, 6));
      showState("failed", attempt >= 3
        ? "not saved yet: server unreachable, retrying in " + Math.round(delay / 1000) + " s (keep this tab open)"
        : "save failed, retrying…");
      setTimeout(pump, delay);
      return;
    }
    attempt = 0;
    queue.shift();
    storeQueue();
    if (outcome !== "done") refused = outcome.refused;
    if (queue.length) { pump(); return; }
    // Drained: show the server's rendering of what is now stored, then say so.
    try { await refreshBody(); } catch (e) { /* the next change refreshes again */ }
    if (queue.length) return; // a change arrived meanwhile; its pump reports the state
    if (refused) showState("failed", "not saved: " + refused);
    else showState("saved");
    refused = null;
  }

  function refreshBody() {
    // Plain fetch + innerHTML: the fragment has no hx-* attributes, so htmx processing of
    // thousands of marks would only cost time.
    return fetch(bodyUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => {
        if (!response.ok) throw new Error("refresh failed: " + response.status);
        return response.text();
      })
      .then((html) => {
        document.getElementById("body").innerHTML = html;
        clearPending();
      });
  }

  // ---- instant feedback: a new span is painted at once with the CSS Custom Highlight API, ---
  // before the server's rendering replaces it (or, offline, until the queue drains).
  const pending = new Map(); // span id -> {label, range}
  function rangeFor(start, end) {
    const container = textElement();
    const full = container.textContent;
    const startUnits = codePointsToUtf16(full, start);
    const endUnits = codePointsToUtf16(full, end);
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let seen = 0, node, started = false;
    while ((node = walker.nextNode())) {
      const length = node.data.length;
      if (!started && startUnits < seen + length) { range.setStart(node, startUnits - seen); started = true; }
      if (started && endUnits <= seen + length) { range.setEnd(node, endUnits - seen); return range; }
      seen += length;
    }
    return null;
  }
  function paintPending() {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    for (const name of Array.from(CSS.highlights.keys())) if (name.startsWith("pending-")) CSS.highlights.delete(name);
    const byLabel = new Map();
    for (const { label, range } of pending.values()) {
      if (!byLabel.has(label)) byLabel.set(label, []);
      byLabel.get(label).push(range);
    }
    for (const [label, ranges] of byLabel) CSS.highlights.set("pending-" + label, new Highlight(...ranges));
  }
  function showPending(span) {
    const range = rangeFor(span.start, span.end);
    if (!range) return;
    pending.set(span.id, { label: labelIds[span.label], range });
    paintPending();
  }
  function clearPending() {
    // Ranges pointed into the old DOM; spans still queued are painted again on the new one.
    pending.clear();
    for (const op of queue) {
      if (op.method === "PUT" && !document.querySelector('#text mark[data-span="' + CSS.escape(op.id) + '"]')) {
        const range = rangeFor(op.body.start, op.body.end);
        if (range) pending.set(op.id, { label: labelIds[op.body.label], range });
      }
    }
    paintPending();
  }

  // ---- spans as the page shows them ------------------------------------------------------
  function spanData(id) {
    const item = document.querySelector('#span-list li[data-span="' + CSS.escape(id) + '"]');
    if (!item) return null;
    return {
      id, label: item.dataset.label, start: +item.dataset.start, end: +item.dataset.end,
      note: item.dataset.note || "",
    };
  }

  function textOf(start, end) { return Array.from(textElement().textContent).slice(start, end).join(""); }
  function textElement() { return document.getElementById("text"); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function put(span) {
    enqueue({ method: "PUT", id: span.id, body: {
      label: span.label, start: span.start, end: span.end, note: span.note || "",
      text: textOf(span.start, span.end),
    } });
  }
  function remove(id) { enqueue({ method: "DELETE", id }); }

  // ---- actions (each records how to undo itself) --------------------------------------
  function createSpan(label) {
    if (!pendingSelection || readOnly) return;
    const span = { id: newId(), label, start: pendingSelection.start, end: pendingSelection.end, note: "" };
    showPending(span);
    put(span);
    undoStack.push(() => remove(span.id));
    clearSelection();
  }

  function updateSpan(id, changes) {
    const before = spanData(id);
    if (!before) return;
    put(Object.assign({}, before, changes));
    undoStack.push(() => put(before));
  }

  function deleteSpan(id) {
    const before = spanData(id);
    if (!before) return;
    remove(id);
    undoStack.push(() => put(before));
  }

  function undo() {
    const step = undoStack.pop();
    if (step) step();
  }

  // ---- selection ---------------------------------------------------------------------------
  function currentSelection() {
    const selection = window.getSelection();
    const container = textElement();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed || !container) return null;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
    const full = container.textContent;
    const before = document.createRange();
    before.setStart(container, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const startUnits = before.toString().length;
    const endUnits = startUnits + range.toString().length;
    const chars = Array.from(full);
    let start = utf16ToCodePoints(full, startUnits);
    let end = utf16ToCodePoints(full, endUnits);
    [start, end] = adjust(chars, start, end, snap);
    if (start >= end) return null;
    return { start, end, rect: range.getBoundingClientRect() };
  }

  function clearSelection() {
    pendingSelection = null;
    toolbar.hidden = true;
    const selection = window.getSelection();
    if (selection) selection.removeAllRanges();
  }

  function place(element, rect) {
    element.hidden = false;
    const top = window.scrollY + rect.bottom + 6;
    const left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - element.offsetWidth - 8));
    element.style.top = top + "px";
    element.style.left = left + "px";
  }

  document.addEventListener("selectionchange", () => {
    if (readOnly) return;
    const found = currentSelection();
    if (!found) { pendingSelection = null; toolbar.hidden = true; return; }
    pendingSelection = found;
    closePopover();
    place(toolbar, found.rect);
  });

  toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("[data-label]");
    if (button) createSpan(button.dataset.label);
  });

  // ---- popover for an existing span ----------------------------------------------------------
  function openPopover(id, rect) {
    const data = spanData(id);
    if (!data || readOnly) return;
    editing = id;
    document.getElementById("note-input").value = data.note;
    for (const button of popover.querySelectorAll("[data-relabel]")) {
      button.classList.toggle("current", button.dataset.relabel === data.label);
    }
    place(popover, rect);
  }
  function closePopover() { editing = null; popover.hidden = true; }

  root.addEventListener("click", (event) => {
    const mark = event.target.closest("#text mark[data-span]");
    if (mark && window.getSelection().isCollapsed) {
      openPopover(mark.dataset.span, mark.getBoundingClientRect());
      return;
    }
    const item = event.target.closest("#span-list li[data-span]");
    if (item) {
      const target = document.querySelector('#text mark[data-span="' + CSS.escape(item.dataset.span) + '"]');
      if (target) {
        target.scrollIntoView({ block: "center", behavior: "smooth" });
        for (const part of document.querySelectorAll('#text mark[data-span="' + CSS.escape(item.dataset.span) + '"]')) {
          part.classList.add("flash");
          setTimeout(() => part.classList.remove("flash"), 1200);
        }
        openPopover(item.dataset.span, target.getBoundingClientRect());
      }
    }
  });

  popover.addEventListener("click", (event) => {
    const relabel = event.target.closest("[data-relabel]");
    if (relabel && editing) { updateSpan(editing, { label: relabel.dataset.relabel }); closePopover(); }
    if (event.target.id === "note-save" && editing) {
      updateSpan(editing, { note: document.getElementById("note-input").value }); closePopover();
    }
    if (event.target.id === "span-delete" && editing) { deleteSpan(editing); closePopover(); }
    if (event.target.id === "popover-close") closePopover();
  });
  document.getElementById("note-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && editing) {
      event.preventDefault();
      updateSpan(editing, { note: event.target.value });
      closePopover();
    }
  });

  // ---- keyboard --------------------------------------------------------------------------------
  const keys = {};
  for (const button of toolbar.querySelectorAll("[data-key]")) {
    if (button.dataset.key) keys[button.dataset.key] = button.dataset.label;
  }
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
      event.preventDefault();
      undo();
      return;
    }
    if (event.key === "Escape") { clearSelection(); closePopover(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (keys[event.key]) {
      if (pendingSelection) { event.preventDefault(); createSpan(keys[event.key]); }
      else if (editing) { event.preventDefault(); updateSpan(editing, { label: keys[event.key] }); closePopover(); }
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (queue.length) { event.preventDefault(); event.returnValue = ""; }
  });

  // Expose a little for tests and for the curious.
  window.annotatorWorkspace = { queue: () => queue.slice(), undo, refreshBody, pending: () => pending.size };
  if (queue.length) { clearPending(); pump(); }
})();
