/* The workspace as the server rendered it: spans and links read from the side panel's data
 * attributes (templates/workspace/_body.html), and queued changes shown there at once. Offsets are
 * code points, half-open [start, end), as stored. */

export function textElement() { return document.getElementById("text"); }
export function textOf(start, end) { return Array.from(textElement().textContent).slice(start, end).join(""); }
export function marksOf(id) { return document.querySelectorAll('#text mark[data-span="' + CSS.escape(id) + '"]'); }

export function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
}

// ---- spans ---------------------------------------------------------------------------------
export function spanItem(id) { return document.querySelector('#span-list li[data-span="' + CSS.escape(id) + '"]'); }
export function spanData(id) {
  const item = spanItem(id);
  if (!item) return null;
  let attributes = {};
  try { attributes = JSON.parse(item.dataset.attributes || "{}"); } catch (e) { /* keep none */ }
  let source = null; // the source the span names: {id, name, kind}, or {name, kind} not saved yet
  try { source = JSON.parse(item.dataset.source || "null"); } catch (e) { /* none */ }
  return {
    id, label: item.dataset.label, start: +item.dataset.start, end: +item.dataset.end,
    note: item.dataset.note || "", attributes, named_source: source,
  };
}
/** Show a queued span change in the side panel at once: its data (the popover, the keys and the
 * history read it) and, for a span the server has not rendered yet (made offline, say), a new
 * list item in text order, marked pending, that opens and selects like any other. */
export function showSpanChange(span) {
  let item = spanItem(span.id);
  if (!item) {
    const list = document.getElementById("span-list");
    if (!list) return;
    const empty = list.querySelector("li.empty");
    if (empty) empty.remove();
    item = document.createElement("li");
    item.className = "pending";
    item.dataset.span = span.id;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "span-item";
    button.append(document.createTextNode(""));
    item.append(button);
    const after = Array.from(list.querySelectorAll("li[data-span]")).find((other) => +other.dataset.start > span.start);
    list.insertBefore(item, after || null);
  }
  if (item.dataset.shownStart === undefined && item.dataset.start !== undefined) {
    // where the server drew its marks: a moved span is painted pending until it draws them anew
    item.dataset.shownStart = item.dataset.start;
    item.dataset.shownEnd = item.dataset.end;
  }
  item.dataset.label = span.label;
  item.dataset.start = String(span.start);
  item.dataset.end = String(span.end);
  item.dataset.note = span.note || "";
  item.dataset.attributes = JSON.stringify(span.attributes || {});
  if (span.named_source) item.dataset.source = JSON.stringify(span.named_source);
  else delete item.dataset.source;
  // The item's button shows the label as generated content (data-label, class lab-N) before
  // the preview, its first text node (highlight.py's render_list).
  const button = item.querySelector("button.span-item");
  if (button) {
    button.dataset.label = span.label;
    const labelButton = document.querySelector('#toolbar .label-button[data-label="' + CSS.escape(span.label) + '"]');
    for (const name of Array.from(button.classList)) if (/^lab-\d+$/.test(name)) button.classList.remove(name);
    if (labelButton) button.classList.add("lab-" + labelButton.dataset.labelId);
    const text = Array.from(button.childNodes).find((node) => node.nodeType === Node.TEXT_NODE);
    if (text) text.data = preview(span, 80);
    else button.prepend(document.createTextNode(preview(span, 80)));
    let named = button.querySelector(".span-source");
    if (span.named_source && !named) {
      named = document.createElement("span");
      named.className = "span-source";
      button.append(named);
    }
    if (named && span.named_source) named.textContent = "source: " + span.named_source.name + " (" + span.named_source.kind + ")";
    else if (named) named.remove();
  }
  const moved = item.dataset.shownStart !== undefined
    && (item.dataset.shownStart !== item.dataset.start || item.dataset.shownEnd !== item.dataset.end);
  for (const mark of marksOf(span.id)) mark.classList.toggle("moved", moved);
  countSpans();
}
/** Show a queued deletion at once: the item leaves the list, the marks lose their colour. */
export function showSpanDelete(id) {
  const item = spanItem(id);
  if (item) item.remove();
  for (const mark of marksOf(id)) mark.classList.add("deleted");
  countSpans();
}
/** Whether the server's marks show the span where it is now (else it is painted pending). */
export function drawnInPlace(id) {
  const item = spanItem(id);
  if (!item || !marksOf(id).length) return false;
  return item.dataset.shownStart === undefined
    || (item.dataset.shownStart === item.dataset.start && item.dataset.shownEnd === item.dataset.end);
}
/** Every listed span (saved or queued) in text order. */
export function allSpans() {
  return Array.from(document.querySelectorAll("#span-list li[data-span]"), (item) => spanData(item.dataset.span))
    .sort((a, b) => a.start - b.start || b.end - a.end);
}
function countSpans() {
  const count = document.getElementById("span-count");
  if (count) count.textContent = String(document.querySelectorAll("#span-list li[data-span]").length);
}
export function preview(span, size) {
  const text = textOf(span.start, span.end);
  return Array.from(text).length > size ? Array.from(text).slice(0, size - 1).join("") + "…" : text;
}

// ---- links ---------------------------------------------------------------------------------
export function linkItems() { return Array.from(document.querySelectorAll("#relation-list li[data-relation]")); }
export function linkData(item) {
  return { id: item.dataset.relation, type: item.dataset.type, source: item.dataset.source,
    target: item.dataset.target, value: item.dataset.value || null };
}
export function linksOf(spanId) {
  return linkItems().map(linkData).filter((link) => link.source === spanId || link.target === spanId);
}
export function fits(type, sourceLabel, targetLabel) {
  return (!type.source.length || type.source.includes(sourceLabel))
    && (!type.target.length || type.target.includes(targetLabel));
}

/** Show a queued link change in the side panel at once: a new link appears (marked pending),
 * a deleted one disappears. The server's rendering replaces both when the queue drains. */
export function showLinkChange(op) {
  const list = document.getElementById("relation-list");
  if (!list) return;
  const existing = list.querySelector('li[data-relation="' + CSS.escape(op.id) + '"]');
  if (op.method === "DELETE") { if (existing) existing.remove(); }
  else if (existing) { // a relabel: the new type (and value) at once
    existing.dataset.type = op.body.type;
    existing.dataset.value = op.body.value || "";
    existing.classList.add("pending");
    const type = existing.querySelector(".link-type");
    if (type) type.textContent = op.body.type;
    const value = existing.querySelector(".link-value");
    if (value) value.textContent = op.body.value || "";
  } else {
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
    // as the server renders it (annotation/highlight.py): the arrows are the item's ::before
    // and ::after (relations.css)
    item.append(sourceEnd, part("span", "link-type", op.body.type));
    if (op.body.value) item.append(part("span", "link-value", op.body.value));
    item.append(targetEnd);
    list.append(item);
  }
  const count = document.getElementById("link-count");
  if (count) count.textContent = String(linkItems().length);
}
