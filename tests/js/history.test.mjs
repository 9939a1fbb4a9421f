// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { createHistory, historyKey, historyStorageKey, plan, staleReason } from "../../static/js/history.js";

/** localStorage's interface over a Map. */
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

/** A document's spans (id -> values) and a history whose steps change them as the workspace's do. */
function world(storage = null, spans = new Map()) {
  const apply = (step, direction) => {
    const { expect, actions } = plan(step, direction);
    const stale = staleReason(expect, (id) => spans.get(id) || null);
    if (stale) return stale;
    for (const action of actions) {
      if (action.type === "putSpan") spans.set(action.span.id, action.span);
      if (action.type === "deleteSpan") spans.delete(action.id);
    }
    return null;
  };
  const history = createHistory({ storage, key: storage && "h", apply });
  const value = (label, start, end) => ({ label, start, end, note: "", attributes: {} });
  const create = (id, label, start, end) => {
    spans.set(id, Object.assign({ id }, value(label, start, end)));
    return history.record({ what: "new span", spans: [{ id, before: null, after: value(label, start, end) }] });
  };
  const moveEnd = (id, end) => {
    const before = spans.get(id);
    const after = Object.assign({}, before, { end });
    spans.set(id, after);
    return history.record({ what: "move the end", spans: [{ id, before, after }] });
  };
  const labels = () => Array.from(spans.values(), (span) => span.label + ":" + span.start + "-" + span.end);
  return { spans, history, create, moveEnd, labels };
}

test("undo takes back the newest action and redo makes it again", () => {
  const { history, create, moveEnd, labels } = world();
  create("a", "claim", 0, 4);
  moveEnd("a", 9);
  assert.deepStrictEqual(history.undo().done, true);
  assert.deepStrictEqual(labels(), ["claim:0-4"]);
  assert.deepStrictEqual(history.undo().done, true);
  assert.deepStrictEqual(labels(), []);
  assert.deepStrictEqual(history.redo().done, true);
  assert.deepStrictEqual(labels(), ["claim:0-4"]);
  assert.deepStrictEqual(history.redo().done, true);
  assert.deepStrictEqual(labels(), ["claim:0-9"]);
});

test("undo and redo with nothing to do change nothing and say so", () => {
  const { history, create, labels } = world();
  assert.deepStrictEqual(history.undo(), { done: false });
  assert.deepStrictEqual(history.redo(), { done: false });
  create("a", "claim", 0, 4);
  assert.deepStrictEqual(history.redo(), { done: false });
  assert.deepStrictEqual(labels(), ["claim:0-4"]);
});

test("a new action after an undo forgets what could be redone", () => {
  const { history, create, labels } = world();
  create("a", "claim", 0, 4);
  create("b", "claim", 5, 9);
  history.undo();
  create("c", "evidence", 10, 12);
  assert.deepStrictEqual(history.redo(), { done: false });
  assert.deepStrictEqual(labels(), ["claim:0-4", "evidence:10-12"]);
  assert.deepStrictEqual(history.sizes(), { undo: 2, redo: 0 });
});

test("the history survives a reload of the same document (kept in storage)", () => {
  const storage = memoryStorage();
  const first = world(storage);
  first.create("a", "claim", 0, 4);
  first.moveEnd("a", 9);
  first.history.undo();
  const reloaded = world(storage, first.spans); // a new page: the same storage and document
  assert.deepStrictEqual(reloaded.history.sizes(), { undo: 1, redo: 1 });
  assert.strictEqual(reloaded.history.redo().done, true);
  assert.deepStrictEqual(reloaded.labels(), ["claim:0-9"]);
  assert.strictEqual(reloaded.history.undo().done, true);
  assert.strictEqual(reloaded.history.undo().done, true);
  assert.deepStrictEqual(reloaded.labels(), []);
});

test("a step whose span was deleted elsewhere is stale: it fails visibly and changes nothing", () => {
  const { spans, history, create, moveEnd, labels } = world();
  create("a", "claim", 0, 4);
  moveEnd("a", 9);
  spans.delete("a"); // deleted in another tab
  const answer = history.undo();
  assert.strictEqual(answer.done, false);
  assert.strictEqual(answer.stale, "the span was deleted meanwhile");
  assert.deepStrictEqual(labels(), []); // not recreated by the undo
  assert.deepStrictEqual(history.sizes(), { undo: 1, redo: 0 }); // the stale step is gone
});

test("a step whose span was changed elsewhere is stale too", () => {
  const { spans, history, create, labels } = world();
  create("a", "claim", 0, 4);
  spans.set("a", Object.assign({}, spans.get("a"), { end: 7 }));
  assert.strictEqual(history.undo().stale, "the span was changed meanwhile");
  assert.deepStrictEqual(labels(), ["claim:0-7"]);
});

test("forget drops a step the server refused, wherever it is", () => {
  const { history, create, moveEnd } = world();
  create("a", "claim", 0, 4);
  const refused = moveEnd("a", 9);
  history.forget(refused);
  assert.deepStrictEqual(history.sizes(), { undo: 1, redo: 0 });
});

test("the history keeps the newest steps only", () => {
  const spans = new Map();
  const history = createHistory({ apply: () => null, limit: 3 });
  for (let i = 0; i < 5; i++) history.record({ what: "x", spans: [] });
  assert.deepStrictEqual(history.sizes(), { undo: 3, redo: 0 });
  assert.strictEqual(spans.size, 0);
});

test("plan deletes links first, then changes spans, then makes links; a span made anew is a create", () => {
  const span = { label: "claim", start: 0, end: 4, note: "", attributes: {} };
  const link = { id: "l", type: "supports", source: "a", target: "b", value: null };
  const step = { what: "delete", spans: [{ id: "a", before: span, after: null }], links: [{ id: "l", before: link, after: null }] };
  assert.deepStrictEqual(plan(step, "redo").actions.map((a) => a.type), ["deleteLink", "deleteSpan"]);
  const undo = plan(step, "undo");
  assert.deepStrictEqual(undo.actions.map((a) => a.type), ["putSpan", "putLink"]);
  assert.strictEqual(undo.actions[0].creates, true);
  assert.deepStrictEqual(undo.expect, [{ id: "a", values: null }]);
});

test("histories are keyed by account and document", () => {
  assert.notStrictEqual(historyStorageKey("1", "/d/3"), historyStorageKey("2", "/d/3"));
  assert.notStrictEqual(historyStorageKey("1", "/d/3"), historyStorageKey("1", "/d/4"));
});

test("Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo, on a Mac with the command key too", () => {
  assert.strictEqual(historyKey({ key: "z", ctrlKey: true }), "undo");
  assert.strictEqual(historyKey({ key: "z", metaKey: true }), "undo");
  assert.strictEqual(historyKey({ key: "Z", ctrlKey: true, shiftKey: true }), "redo");
  assert.strictEqual(historyKey({ key: "Z", metaKey: true, shiftKey: true }), "redo");
  assert.strictEqual(historyKey({ key: "y", ctrlKey: true }), "redo");
});

test("keys without Ctrl or with Alt are not history keys", () => {
  assert.strictEqual(historyKey({ key: "z" }), null);
  assert.strictEqual(historyKey({ key: "Z", shiftKey: true }), null);
  assert.strictEqual(historyKey({ key: "z", ctrlKey: true, altKey: true }), null);
  assert.strictEqual(historyKey({ key: "x", ctrlKey: true }), null);
});

test("a step with requests of its own (a suggestion's accept) is kept across a reload as data", () => {
  const storage = memoryStorage();
  const calls = [];
  const apply = (step, direction) => { calls.push(step.suggestion[direction]); return null; };
  const step = { what: "accepting a suggestion", spans: [],
    suggestion: { redo: { method: "PUT", path: "/7/accept/s1", refresh: true }, undo: { deleteSpan: "s1" } } };
  createHistory({ storage, key: "h", apply }).record(step);
  const reloaded = createHistory({ storage, key: "h", apply });
  assert.strictEqual(reloaded.undo().done, true);
  assert.strictEqual(reloaded.redo().done, true);
  assert.deepStrictEqual(calls, [{ deleteSpan: "s1" }, { method: "PUT", path: "/7/accept/s1", refresh: true }]);
});

test("a relabelled link is put again with its new type, and undo puts the old one back", () => {
  const before = { id: "l1", type: "supports", source: "a", target: "b", value: null };
  const after = Object.assign({}, before, { type: "refutes" });
  const step = { what: "relabelling a link", spans: [], links: [{ id: "l1", before, after }] };
  assert.deepStrictEqual(plan(step, "redo").actions, [{ type: "putLink", link: after }]);
  assert.deepStrictEqual(plan(step, "undo").actions, [{ type: "putLink", link: before }]);
});
