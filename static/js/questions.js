/* Document questions beside the text: each answer is saved at once through the save queue
 * (queue.js), as a change of kind "answer" whose id is the question's name. The server stores one
 * answer per (document, annotator, question), so sending a change again is harmless, and queued
 * answers survive a reload, a lost connection or an ended session like spans do.
 *
 * The pure functions (readValue, answerOp, withQueued, unansweredRequired) carry the logic and have
 * node tests (tests/js/questions.test.mjs); setupQuestions wires them to the page. */

/**
 * The value an annotator's inputs give for a question of `kind`, from `raw`: the checked value
 * (single, scale; null when none), the checked values (multiple), or the field's text (number,
 * text). Answers {value} to store, {clear: true} when there is nothing to store, or
 * {invalid: message} when the text is not a number.
 */
export function readValue(kind, raw) {
  if (kind === "multiple") return raw && raw.length ? { value: raw.slice() } : { clear: true };
  if (raw == null || (typeof raw === "string" && raw.trim() === "")) return { clear: true };
  if (kind === "scale") return { value: Number(raw) };
  if (kind === "number") {
    const number = Number(raw);
    return Number.isFinite(number) ? { value: number } : { invalid: "not a number: " + raw };
  }
  return { value: raw };
}

/** The save queue's change for a question's new state (`read` from readValue). */
export function answerOp(name, read) {
  if (read.clear) return { kind: "answer", method: "DELETE", id: name };
  return { kind: "answer", method: "PUT", id: name, body: { value: read.value } };
}

/** The answers once the queued answer changes are applied, in order: what the page should show. */
export function withQueued(answers, ops) {
  const result = Object.assign({}, answers);
  for (const op of ops) {
    if (op.kind !== "answer") continue;
    if (op.method === "DELETE") delete result[op.id];
    else result[op.id] = op.body.value;
  }
  return result;
}

/** Names of the required questions without an answer, in order. */
export function unansweredRequired(required, answers) {
  return required.filter((name) => !(name in answers));
}

/* ---- the page -------------------------------------------------------------------------------- */

function rawOf(fieldset) {
  const kind = fieldset.dataset.kind;
  if (kind === "multiple") {
    return Array.from(fieldset.querySelectorAll("input:checked")).map((input) => input.value);
  }
  if (kind === "single" || kind === "scale") {
    const checked = fieldset.querySelector("input:checked");
    return checked ? checked.value : null;
  }
  return fieldset.querySelector("input, textarea").value;
}

function show(fieldset, value) {
  const kind = fieldset.dataset.kind;
  if (kind === "number" || kind === "text") {
    fieldset.querySelector("input, textarea").value = value == null ? "" : String(value);
    return;
  }
  const chosen = value == null ? [] : [].concat(value).map(String);
  for (const input of fieldset.querySelectorAll("input")) input.checked = chosen.includes(input.value);
}

/**
 * Wires the questions panel (#questions) if the page has one. `enqueue(op)` hands a change to the
 * save queue, `queued()` lists the queue's changes (to show answers not yet saved), `tell(message)`
 * reports a problem. A first click on Mark done (#mark-done) while a required question is
 * unanswered is stopped with a warning; a second click goes through.
 */
export function setupQuestions({ enqueue, queued, tell }) {
  const panel = document.getElementById("questions");
  if (!panel) return null;
  const warning = document.getElementById("questions-warning");
  const required = JSON.parse(panel.dataset.required || "[]");
  const fieldsets = Array.from(panel.querySelectorAll("fieldset[data-question]"));
  const rendered = {}; // the answers as stored when the page was made
  for (const fieldset of fieldsets) {
    const read = readValue(fieldset.dataset.kind, rawOf(fieldset));
    if (!read.clear && !read.invalid) rendered[fieldset.dataset.question] = read.value;
  }
  const state = withQueued(rendered, queued()); // and the changes still waiting to be saved
  for (const fieldset of fieldsets) show(fieldset, state[fieldset.dataset.question]);
  let warned = false;

  function save(fieldset) {
    const name = fieldset.dataset.question;
    const read = readValue(fieldset.dataset.kind, rawOf(fieldset));
    if (read.invalid) { tell(name + ": " + read.invalid); return; }
    if (read.clear && !(name in state)) return;
    if (!read.clear && JSON.stringify(state[name]) === JSON.stringify(read.value)) return;
    if (read.clear) delete state[name];
    else state[name] = read.value;
    warned = false;
    warning.hidden = true;
    enqueue(answerOp(name, read));
  }

  for (const fieldset of fieldsets) {
    fieldset.addEventListener("change", () => save(fieldset));
    const clear = fieldset.querySelector(".question-clear");
    if (clear) clear.addEventListener("click", () => { show(fieldset, null); save(fieldset); });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#mark-done");
    if (!button) return;
    const missing = unansweredRequired(required, state);
    if (!missing.length || warned) return;
    event.preventDefault();
    event.stopPropagation();
    warned = true;
    warning.textContent = "Required question" + (missing.length > 1 ? "s" : "") + " not answered: "
      + missing.join(", ") + ". Answer " + (missing.length > 1 ? "them" : "it")
      + ", or press Mark done again to finish anyway.";
    warning.hidden = false;
  }, true);

  return { answers: () => Object.assign({}, state) };
}
