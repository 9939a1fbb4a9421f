/* Span attributes in the popover, typed like document questions (annotation/value_types.py):
 * single choice and boolean are a select, several choices checkboxes, a scale radio buttons
 * between its end labels, a number or free text an input. Every change is saved at once through
 * ws.updateSpan (queued, idempotent) with all of the span's values.
 *
 * The pure functions (readAttribute, withValue, missingRequired) carry the logic and have node
 * tests (tests/js/attributes.test.mjs); setupAttributes wires them to the popover. */
import { readValue } from "./questions.js";

/** The value of an attribute of `kind` from its field's raw state (see readValue): {value},
 * {clear: true} or {invalid: message}. A boolean's raw state is "", "true" or "false". */
export function readAttribute(kind, raw) {
  if (kind === "boolean") return raw === "true" ? { value: true } : raw === "false" ? { value: false } : { clear: true };
  return readValue(kind, raw);
}

/** The span's values with the attribute `name` set to what `read` says (or removed): a new object. */
export function withValue(values, name, read) {
  const result = Object.assign({}, values);
  if (read.clear) delete result[name];
  else result[name] = read.value;
  return result;
}

/** Names of the required attributes (`required`, in order) that `values` has no value for. */
export function missingRequired(required, values) {
  return required.filter((name) => !(name in values));
}

/* ---- the popover ----------------------------------------------------------------------------- */

function rawOf(field) {
  const kind = field.dataset.kind;
  if (kind === "multiple") return Array.from(field.querySelectorAll("input:checked"), (input) => input.value);
  if (kind === "scale") {
    const checked = field.querySelector("input:checked");
    return checked ? checked.value : null;
  }
  return field.querySelector("[data-attribute]").value;
}

function show(field, value) {
  const kind = field.dataset.kind;
  if (kind === "multiple" || kind === "scale") {
    const chosen = value == null ? [] : [].concat(value).map(String);
    for (const input of field.querySelectorAll("input")) input.checked = chosen.includes(input.value);
    return;
  }
  field.querySelector("[data-attribute]").value = value == null ? "" : String(value);
}

function fieldsOf(group) { return group ? Array.from(group.querySelectorAll(".attribute[data-field]")) : []; }

/**
 * Wires the popover's attribute fields. Gives `ws` showAttributes(data) (the open span's label's
 * fields, set to its values) and attributeNames(label); saves a field's change with
 * ws.updateSpan(ws.state.editing, {attributes}). A number that is not one is reported in the
 * popover (#attribute-problem) and not saved. With the popover open, the A key moves the focus to
 * the first attribute field (unless a label uses A as its key).
 */
export function setupAttributes(ws) {
  const { popover } = ws;
  const problem = document.getElementById("attribute-problem");
  const groupOf = (label) => popover.querySelector('.attribute-group[data-label="' + CSS.escape(label) + '"]');
  let current = {}; // the open span's values, as last saved

  ws.showAttributes = (data) => {
    current = Object.assign({}, data.attributes);
    if (problem) problem.hidden = true;
    for (const group of popover.querySelectorAll(".attribute-group")) {
      group.hidden = group.dataset.label !== data.label;
      if (!group.hidden) for (const field of fieldsOf(group)) show(field, current[field.dataset.field]);
    }
  };
  ws.attributeNames = (label) => fieldsOf(groupOf(label)).map((field) => field.dataset.field);
  ws.requiredAttributes = (label) => fieldsOf(groupOf(label)).filter((field) => "required" in field.dataset).map((field) => field.dataset.field);

  function save(field) {
    const editing = ws.state.editing;
    if (!editing) return;
    const name = field.dataset.field;
    const read = readAttribute(field.dataset.kind, rawOf(field));
    if (read.invalid) {
      problem.textContent = name + ": " + read.invalid;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    const values = withValue(current, name, read);
    if (JSON.stringify(values) === JSON.stringify(current)) return;
    current = values;
    ws.updateSpan(editing, { attributes: values }); // saved at once; the popover stays
  }

  popover.addEventListener("change", (event) => {
    const field = event.target.closest(".attribute[data-field]");
    if (field) save(field);
  });
  popover.addEventListener("click", (event) => {
    const clear = event.target.closest(".attribute-clear");
    if (!clear) return;
    const field = clear.closest(".attribute[data-field]");
    show(field, null);
    save(field);
  });
  popover.addEventListener("keydown", (event) => {
    const input = event.target.closest("input[data-attribute]");
    if (input && event.key === "Enter") { event.preventDefault(); save(input.closest(".attribute[data-field]")); }
  });
  // Mark done: a first click while spans lack a required value is stopped with a warning (the
  // span list names what each lacks); a second click goes through, as for document questions.
  const warning = document.getElementById("attributes-warning");
  let warned = false;
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#mark-done");
    if (!button || !warning) return;
    let lacking = 0;
    for (const item of document.querySelectorAll("#span-list li[data-span]")) {
      let values = {};
      try { values = JSON.parse(item.dataset.attributes || "{}"); } catch (e) { /* none */ }
      if (missingRequired(ws.requiredAttributes(item.dataset.label), values).length) lacking += 1;
    }
    if (!lacking || warned) return;
    event.preventDefault();
    event.stopPropagation();
    warned = true;
    warning.textContent = lacking + " span" + (lacking > 1 ? "s lack" : " lacks") + " a required attribute"
      + " (named in the span list). Set " + (lacking > 1 ? "them" : "it") + ", or press Mark done again to finish anyway.";
    warning.hidden = false;
  }, true);

  const labelKeys = new Set(Array.from(document.querySelectorAll("#toolbar [data-key]"), (b) => b.dataset.key.toLowerCase()));
  document.addEventListener("keydown", (event) => {
    if (labelKeys.has("a") || event.ctrlKey || event.metaKey || event.altKey) return;
    if ((event.key !== "a" && event.key !== "A") || !ws.state.editing || popover.hidden) return;
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    const group = popover.querySelector(".attribute-group:not([hidden])");
    const first = group && group.querySelector("select, input");
    if (first) { event.preventDefault(); first.focus(); }
  });
}
