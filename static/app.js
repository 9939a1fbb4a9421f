/* annotator workspace: text selection, label keys, span popover, links, undo and the save queue.
 *
 * The server renders the text with its highlights and the side panel's span and link lists
 * (templates/workspace/_body.html); this script only measures selections, sends span and link
 * changes to the JSON API and then swaps the freshly rendered body in. Changes wait in a queue kept
 * in localStorage until the server acknowledges them: a failed request is retried with back-off, a
 * reload resumes the queue, and client-made span and link ids make every retry idempotent.
 *
 * Linking: select a span (click it), press L or click "Link", click the target span, then pick the
 * type (click, digit key, or arrows and Enter). Only types whose label rules fit are offered, in
 * either direction. Hovering a span lights up its links and the spans at their other ends. */
(function () {
  "use strict";
  const root = document.getElementById("workspace");
  if (!root) return;
  const { utf16ToCodePoints, codePointsToUtf16, adjust } = window.AnnotatorOffsets;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const spansUrl = root.dataset.spansUrl;
  const relationsUrl = root.dataset.relationsUrl;
  const relationTypes = JSON.parse(root.dataset.relationTypes || "[]");
  const bodyUrl = root.dataset.bodyUrl;
  const snap = root.dataset.snap === "true";
  const readOnly = root.dataset.readOnly === "true";
  const queueKey = "annotator.queue." + spansUrl;
  const toolbar = document.getElementById("toolbar");
  const popover = document.getElementById("popover");
  const linkMenu = document.getElementById("link-menu");
  const linkHint = document.getElementById("link-hint");
  const saveState = document.getElementById("save-state");
  const undoStack = [];
  const labelIds = {}; // label name -> label id (for the CSS class / highlight name)
  for (const button of toolbar.querySelectorAll("[data-label]")) labelIds[button.dataset.label] = button.dataset.labelId;
  let pendingSelection = null; // {start, end, text} in code points
  let editing = null; // span id in the popover
  let linking = null; // {source: span id} while the annotator picks a link's target

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
      const base = op.kind === "relation" ? relationsUrl : spansUrl; // older queues: spans only
      const response = await fetch(base + "/" + encodeURIComponent(op.id), {
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
        hovered = null;
        if (linking) for (const mark of marksOf(linking.source)) mark.classList.add("link-source");
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
    // Ranges pointed into the old DOM; spans still queued are painted again on the new one, and
    // queued span and link changes are shown again in the side panel.
    pending.clear();
    for (const op of queue) {
      if (op.kind === "relation") { showLinkChange(op); continue; }
      if (op.method === "PUT") {
        if (!document.querySelector('#text mark[data-span="' + CSS.escape(op.id) + '"]')) {
          const range = rangeFor(op.body.start, op.body.end);
          if (range) pending.set(op.id, { label: labelIds[op.body.label], range });
        }
        showSpanChange(Object.assign({ id: op.id }, op.body));
      }
    }
    paintPending();
  }

  // ---- spans as the page shows them ------------------------------------------------------
  function spanItem(id) { return document.querySelector('#span-list li[data-span="' + CSS.escape(id) + '"]'); }
  function spanData(id) {
    const item = spanItem(id);
    if (!item) return null;
    let attributes = {};
    try { attributes = JSON.parse(item.dataset.attributes || "{}"); } catch (e) { /* keep none */ }
    return {
      id, label: item.dataset.label, start: +item.dataset.start, end: +item.dataset.end,
      note: item.dataset.note || "", attributes,
    };
  }
  /** Show a queued span change in the side panel's data at once (the popover reads it). */
  function showSpanChange(span) {
    const item = spanItem(span.id);
    if (!item) return;
    item.dataset.label = span.label;
    item.dataset.note = span.note || "";
    item.dataset.attributes = JSON.stringify(span.attributes || {});
  }

  // ---- links as the page shows them ------------------------------------------------------
  function linkItems() { return Array.from(document.querySelectorAll("#relation-list li[data-relation]")); }
  function linkData(item) {
    return { id: item.dataset.relation, type: item.dataset.type, source: item.dataset.source,
      target: item.dataset.target, value: item.dataset.value || null };
  }
  function linksOf(spanId) {
    return linkItems().map(linkData).filter((link) => link.source === spanId || link.target === spanId);
  }
  function typeNamed(name) { return relationTypes.find((type) => type.name === name); }
  function fits(type, sourceLabel, targetLabel) {
    return (!type.source.length || type.source.includes(sourceLabel))
      && (!type.target.length || type.target.includes(targetLabel));
  }
  function preview(span, size) {
    const text = textOf(span.start, span.end);
    return Array.from(text).length > size ? Array.from(text).slice(0, size - 1).join("") + "…" : text;
  }
  /** Show a queued link change in the side panel at once: a new link appears (marked pending),
   * a deleted one disappears. The server's rendering replaces both when the queue drains. */
  function showLinkChange(op) {
    const list = document.getElementById("relation-list");
    if (!list) return;
    const existing = list.querySelector('li[data-relation="' + CSS.escape(op.id) + '"]');
    if (op.method === "DELETE") { if (existing) existing.remove(); }
    else if (!existing) {
      const source = spanData(op.body.source), target = spanData(op.body.target);
      if (!source || !target) return;
      const empty = list.querySelector("li.empty");
      if (empty) empty.remove();
      const item = document.createElement("li");
      item.className = "pending";
      Object.assign(item.dataset, { relation: op.id, type: op.body.type, source: source.id,
        target: target.id, value: op.body.value || "" });
      const part = (tag, className, text) => {
        const element = document.createElement(tag);
        element.className = className;
        element.textContent = text;
        return element;
      };
      const sourceEnd = part("span", "link-end", "«" + preview(source, 40) + "»");
      sourceEnd.dataset.span = source.id;
      const targetEnd = part("span", "link-end", "«" + preview(target, 40) + "»");
      targetEnd.dataset.span = target.id;
      item.append(sourceEnd, " ", part("span", "link-arrow", "→"), " ",
        part("span", "link-type", op.body.type));
      if (op.body.value) item.append(" ", part("span", "link-value", op.body.value));
      item.append(" ", part("span", "link-arrow", "→"), " ", targetEnd);
      list.append(item);
    }
    const count = document.getElementById("link-count");
    if (count) count.textContent = String(linkItems().length);
  }

  function textOf(start, end) { return Array.from(textElement().textContent).slice(start, end).join(""); }
  function textElement() { return document.getElementById("text"); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function put(span) {
    const op = { kind: "span", method: "PUT", id: span.id, body: {
      label: span.label, start: span.start, end: span.end, note: span.note || "",
      attributes: span.attributes || {}, text: textOf(span.start, span.end),
    } };
    showSpanChange(Object.assign({ id: span.id }, op.body));
    enqueue(op);
  }
  function remove(id) { enqueue({ kind: "span", method: "DELETE", id }); }
  function putLink(link) {
    const op = { kind: "relation", method: "PUT", id: link.id,
      body: { type: link.type, source: link.source, target: link.target, value: link.value || null } };
    showLinkChange(op);
    enqueue(op);
  }
  function removeLink(id) {
    const op = { kind: "relation", method: "DELETE", id };
    showLinkChange(op);
    enqueue(op);
  }

  // ---- actions (each records how to undo itself) --------------------------------------
  function createSpan(label) {
    if (!pendingSelection || readOnly) return;
    const span = { id: newId(), label, start: pendingSelection.start, end: pendingSelection.end, note: "", attributes: {} };
    showPending(span);
    put(span);
    undoStack.push(() => remove(span.id));
    clearSelection();
  }

  /** Attribute names a label defines (from the popover's fields for it). */
  function attributeNames(label) {
    const group = popover.querySelector('.attribute-group[data-label="' + CSS.escape(label) + '"]');
    return group ? Array.from(group.querySelectorAll("select[data-attribute]"), (s) => s.dataset.attribute) : [];
  }

  function updateSpan(id, changes) {
    const before = spanData(id);
    if (!before) return;
    const after = Object.assign({}, before, changes);
    let broken = [];
    if (after.label !== before.label) {
      if (!changes.attributes) {
        const names = attributeNames(after.label);
        after.attributes = Object.fromEntries(Object.entries(before.attributes).filter(([name]) => names.includes(name)));
      }
      broken = linksOf(id).filter((link) => {
        const type = typeNamed(link.type);
        const source = link.source === id ? after : spanData(link.source);
        const target = link.target === id ? after : spanData(link.target);
        return type && source && target && !fits(type, source.label, target.label);
      });
      if (broken.length && !window.confirm(
        "As " + after.label + ", this span no longer fits " + broken.length + " of its links ("
        + broken.map((link) => link.type).join(", ") + "). Relabel it and delete those links?")) return;
    }
    for (const link of broken) removeLink(link.id); // before the relabel: the server checks links
    put(after);
    undoStack.push(() => { put(before); broken.forEach(putLink); });
  }

  function deleteSpan(id) {
    const before = spanData(id);
    if (!before) return;
    const links = linksOf(id);
    if (links.length && !window.confirm(
      "This span has " + links.length + " link" + (links.length === 1 ? "" : "s")
      + ". Deleting the span deletes " + (links.length === 1 ? "it" : "them") + " too. Delete?")) return false;
    for (const link of links) showLinkChange({ kind: "relation", method: "DELETE", id: link.id });
    remove(id); // the server deletes the span's links with it
    undoStack.push(() => { put(before); links.forEach(putLink); });
    return true;
  }

  function createLink(link) {
    const made = Object.assign({ id: newId() }, link);
    putLink(made);
    undoStack.push(() => removeLink(made.id));
  }

  function deleteLink(id) {
    const item = document.querySelector('#relation-list li[data-relation="' + CSS.escape(id) + '"]');
    if (!item) return;
    const before = linkData(item);
    removeLink(id);
    undoStack.push(() => putLink(before));
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
    if (readOnly || linking) return;
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
    showAttributes(data);
    place(popover, rect);
  }
  function closePopover() { editing = null; popover.hidden = true; }

  /** The popover's attribute fields: those of the span's label, set to its values. */
  function showAttributes(data) {
    for (const group of popover.querySelectorAll(".attribute-group")) {
      group.hidden = group.dataset.label !== data.label;
      if (group.hidden) continue;
      for (const select of group.querySelectorAll("select[data-attribute]")) {
        select.value = data.attributes[select.dataset.attribute] || "";
      }
    }
  }
  function chosenAttributes() {
    const values = {};
    for (const select of popover.querySelectorAll(".attribute-group:not([hidden]) select[data-attribute]")) {
      if (select.value) values[select.dataset.attribute] = select.value;
    }
    return values;
  }
  popover.addEventListener("change", (event) => {
    if (event.target.matches("select[data-attribute]") && editing) {
      updateSpan(editing, { attributes: chosenAttributes() }); // saved at once; the popover stays
    }
  });

  // ---- linking: source (the popover's span), target (a click), type (the link menu) ------------
  function showHint(message) {
    linkHint.textContent = message;
    linkHint.hidden = !message;
  }
  function marksOf(id) { return document.querySelectorAll('#text mark[data-span="' + CSS.escape(id) + '"]'); }
  function startLinking(source) {
    const data = spanData(source);
    if (!data || readOnly || !relationTypes.length) return;
    closePopover();
    clearSelection();
    linking = { source };
    root.classList.add("linking");
    for (const mark of marksOf(source)) mark.classList.add("link-source");
    showHint("Linking from «" + preview(data, 40) + "» (" + data.label + "): click the span to link it to. Esc cancels.");
  }
  function stopLinking() {
    linking = null;
    root.classList.remove("linking");
    for (const mark of document.querySelectorAll("#text mark.link-source")) mark.classList.remove("link-source");
    linkMenu.hidden = true;
    linkMenu.replaceChildren();
    showHint("");
  }
  /** Link types that fit the two spans, in either direction, minus links that already exist. */
  function linkOptions(a, b) {
    const existing = new Set(linksOf(a.id).map((link) => link.type + " " + link.source + " " + link.target));
    const options = [];
    for (const [source, target] of [[a, b], [b, a]]) {
      for (const type of relationTypes) {
        if (fits(type, source.label, target.label) && !existing.has(type.name + " " + source.id + " " + target.id)) {
          options.push({ type, source, target });
        }
      }
    }
    return options;
  }
  function pickTarget(targetId, rect) {
    const source = spanData(linking.source), target = spanData(targetId);
    if (!source || !target) { stopLinking(); return; }
    if (source.id === target.id) { showHint("A span cannot be linked to itself: click another span. Esc cancels."); return; }
    const options = linkOptions(source, target);
    if (!options.length) {
      showHint("No link type joins a " + source.label + " span and a " + target.label
        + " span (or they are linked already): click another span. Esc cancels.");
      return;
    }
    openMenu(options.map((option) => ({
      title: option.type.name,
      detail: option.source.label + " «" + preview(option.source, 24) + "» → " + option.target.label + " «" + preview(option.target, 24) + "»",
      pick: () => chooseValue(option, rect),
    })), rect, "Link type");
  }
  function chooseValue(option, rect) {
    const link = { type: option.type.name, source: option.source.id, target: option.target.id, value: null };
    if (!option.type.choices.length) { createLink(link); stopLinking(); return; }
    openMenu([{ title: "no value", detail: "", pick: () => { createLink(link); stopLinking(); } }].concat(
      option.type.choices.map((choice) => ({ title: choice, detail: "",
        pick: () => { createLink(Object.assign({}, link, { value: choice })); stopLinking(); } }))), rect, "Value of the link");
  }
  let menuItems = [];
  function openMenu(items, rect, label) {
    menuItems = items;
    linkMenu.replaceChildren();
    linkMenu.setAttribute("aria-label", label);
    items.forEach((item, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-option";
      button.setAttribute("role", "menuitem");
      button.dataset.index = String(index);
      if (index < 9) {
        const key = document.createElement("kbd");
        key.textContent = String(index + 1);
        button.append(key, " ");
      }
      const title = document.createElement("strong");
      title.textContent = item.title;
      button.append(title);
      if (item.detail) {
        const detail = document.createElement("small");
        detail.textContent = " " + item.detail;
        button.append(detail);
      }
      linkMenu.append(button);
    });
    place(linkMenu, rect);
    linkMenu.querySelector("button").focus();
  }
  linkMenu.addEventListener("mousedown", (event) => event.preventDefault());
  linkMenu.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index]");
    if (button) menuItems[+button.dataset.index].pick();
  });
  function menuKey(event) {
    const buttons = Array.from(linkMenu.querySelectorAll("button[data-index]"));
    const at = buttons.indexOf(document.activeElement);
    if (/^[1-9]$/.test(event.key) && +event.key <= buttons.length) menuItems[+event.key - 1].pick();
    else if (event.key === "ArrowDown") buttons[(at + 1) % buttons.length].focus();
    else if (event.key === "ArrowUp") buttons[(at - 1 + buttons.length) % buttons.length].focus();
    else if (event.key === "Enter" && at >= 0) menuItems[at].pick();
    else return false;
    event.preventDefault();
    return true;
  }

  // ---- hover: a span's links, and the spans at their other ends --------------------------------
  let hovered = null; // span id or "link:" + relation id
  function lightUp(key, on) {
    if (!key) return;
    const links = key.startsWith("link:")
      ? linkItems().filter((item) => item.dataset.relation === key.slice(5))
      : linkItems().filter((item) => item.dataset.source === key || item.dataset.target === key);
    if (!links.length) return;
    if (!key.startsWith("link:")) for (const mark of marksOf(key)) mark.classList.toggle("link-focus", on);
    for (const item of links) {
      item.classList.toggle("link-hover", on);
      for (const end of [item.dataset.source, item.dataset.target]) {
        if (end !== key) for (const mark of marksOf(end)) mark.classList.toggle("linked", on);
      }
    }
  }
  root.addEventListener("mouseover", (event) => {
    const mark = event.target.closest("#text mark[data-span]");
    const item = event.target.closest("#relation-list li[data-relation]");
    const key = mark ? mark.dataset.span : item ? "link:" + item.dataset.relation : null;
    if (key === hovered) return;
    lightUp(hovered, false);
    hovered = key;
    lightUp(hovered, true);
  });

  root.addEventListener("click", (event) => {
    const mark = event.target.closest("#text mark[data-span]");
    const item = event.target.closest("#span-list li[data-span]");
    if (linking && (mark || item) && window.getSelection().isCollapsed) {
      const target = mark || item;
      const rect = (mark || document.querySelector('#text mark[data-span="' + CSS.escape(item.dataset.span) + '"]') || item).getBoundingClientRect();
      pickTarget(target.dataset.span, rect);
      return;
    }
    const remove = event.target.closest("#relation-list li[data-relation] .link-delete");
    if (remove && !readOnly) { deleteLink(remove.closest("li").dataset.relation); return; }
    if (mark && window.getSelection().isCollapsed) {
      openPopover(mark.dataset.span, mark.getBoundingClientRect());
      return;
    }
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
    if (event.target.id === "span-delete" && editing) { if (deleteSpan(editing)) closePopover(); }
    if (event.target.closest("#span-link") && editing) startLinking(editing);
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
    if (event.key === "Escape") { clearSelection(); closePopover(); stopLinking(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!linkMenu.hidden && menuKey(event)) return;
    if (linking) return; // the next click picks the target
    if ((event.key === "l" || event.key === "L") && editing && !readOnly) {
      event.preventDefault();
      startLinking(editing);
      return;
    }
    if (keys[event.key]) {
      if (pendingSelection) { event.preventDefault(); createSpan(keys[event.key]); }
      else if (editing) { event.preventDefault(); updateSpan(editing, { label: keys[event.key] }); closePopover(); }
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (queue.length) { event.preventDefault(); event.returnValue = ""; }
  });

  // Expose a little for tests and for the curious.
  window.annotatorWorkspace = {
    queue: () => queue.slice(), undo, refreshBody, pending: () => pending.size,
    links: () => linkItems().map(linkData),
  };
  if (queue.length) { clearPending(); pump(); }
})();
