/* Undo and redo: a pure history of steps. A step is data, not code, so that it can be kept in
 * localStorage beside the save queue and survive a reload of the same document:
 *
 *   {id, what, spans: [{id, before, after}], links: [{id, before, after}]}
 *
 * where `before` / `after` are a span's values ({label, start, end, note, attributes}) or a
 * link ({id, type, source, target, value}) before and after the action, null where it did not
 * exist. Undoing goes from `after` to `before`, redoing the other way (plan()).
 *
 * A step is applied only onto the state it was made from: when a span is no longer as the step
 * left it (deleted or changed in another tab, or refused by the server), the step is stale; it is
 * dropped and the caller is told why (never replayed onto something else, never silently).
 * A step may instead carry requests of its own, ``{id, what, spans: [], suggestion: {undo, redo}}``
 * (accepting or rejecting a suggestion through its endpoints): the page applies those itself.
 * Recording a new action forgets what could be redone, as every editor does. The keys are decided
 * here too, so that the node tests pin them: Ctrl/⌘+Z undoes, Ctrl/⌘+Shift+Z and Ctrl+Y redo. */

export const HISTORY_LIMIT = 100;

/** The storage key of a history: one account's, on one document (as the queue's key). */
export function historyStorageKey(account, spansUrl) {
  return "annotator.history." + account + "." + spansUrl;
}

const same = (a, b) => a.label === b.label && a.start === b.start && a.end === b.end;

/**
 * What going `direction` ("undo" | "redo") through `step` means:
 *   expect: [{id, values}]   each span as it must be now (values null: it must not exist)
 *   actions: in order        {type: "deleteLink", link} first (the server checks links against
 *                            labels), then {type: "putSpan", span, creates} / {type: "deleteSpan",
 *                            id}, then {type: "putLink", link} (made anew or relabelled).
 */
export function plan(step, direction) {
  const from = direction === "undo" ? "after" : "before";
  const to = direction === "undo" ? "before" : "after";
  const actions = [];
  for (const link of step.links || []) if (link[from] && !link[to]) actions.push({ type: "deleteLink", link: link[from] });
  for (const span of step.spans) {
    if (span[to]) actions.push({ type: "putSpan", span: Object.assign({ id: span.id }, span[to]), creates: !span[from] });
    else actions.push({ type: "deleteSpan", id: span.id });
  }
  // A link made anew, or changed (a relabel: the same id with another type or value).
  for (const link of step.links || []) if (link[to]) actions.push({ type: "putLink", link: link[to] });
  return { expect: step.spans.map((span) => ({ id: span.id, values: span[from] })), actions };
}

/** Why the spans are not as `expect` says (current(id) gives a span's values or null), or null. */
export function staleReason(expect, current) {
  for (const { id, values } of expect) {
    const now = current(id);
    if (values && !now) return "the span was deleted meanwhile";
    if (!values && now) return "the span exists again meanwhile";
    if (values && !same(values, now)) return "the span was changed meanwhile";
  }
  return null;
}

/**
 * A history kept in `storage` under `key` (omit both for one in memory). `apply(step, direction)`
 * makes the change and answers null, or a reason when the step is stale (then nothing changed).
 * undo() and redo() answer {done: true}, {done: false} (nothing to do) or {done: false, stale}.
 */
export function createHistory({ storage = null, key = null, apply, limit = HISTORY_LIMIT } = {}) {
  let { done, undone, next } = load();

  function load() {
    const empty = { done: [], undone: [], next: 1 };
    if (!storage) return empty;
    try {
      const stored = JSON.parse(storage.getItem(key) || "null");
      return stored && Array.isArray(stored.done) && Array.isArray(stored.undone) ? stored : empty;
    } catch (e) { return empty; }
  }
  function store() {
    if (!storage) return;
    if (done.length || undone.length) storage.setItem(key, JSON.stringify({ done, undone, next }));
    else storage.removeItem(key);
  }
  function move(fromStack, toStack, direction) {
    const step = fromStack.pop();
    if (!step) return { done: false };
    const stale = apply(step, direction);
    if (stale) {
      store();
      return { done: false, stale, step };
    }
    toStack.push(step);
    store();
    return { done: true, step };
  }

  return {
    /** Record an action just made; answers the step's id (the queue carries it, see forget). */
    record(step) {
      const kept = Object.assign({}, step, { id: next++ });
      done.push(kept);
      if (done.length > limit) done.splice(0, done.length - limit);
      undone.length = 0;
      store();
      return kept.id;
    },
    undo: () => move(done, undone, "undo"),
    redo: () => move(undone, done, "redo"),
    /** Drop step `id` wherever it is (the server refused its change: there is nothing to undo). */
    forget(id) {
      done = done.filter((step) => step.id !== id);
      undone = undone.filter((step) => step.id !== id);
      store();
    },
    sizes: () => ({ undo: done.length, redo: undone.length }),
  };
}

/** "undo", "redo" or null for a keydown event (only its key and modifier fields are read). */
export function historyKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = (event.key || "").toLowerCase();
  if (key === "z") return event.shiftKey ? "redo" : "undo";
  if (key === "y" && !event.shiftKey) return "redo";
  return null;
}
