// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { createHistory, historyKey } from "../../static/js/history.js";

/** A history over a list of labels, with steps that add one label (as the workspace's do). */
function world() {
  const items = [];
  const history = createHistory();
  const add = (name) => {
    items.push(name);
    history.record({ undo: () => items.splice(items.indexOf(name), 1), redo: () => items.push(name) });
  };
  return { items, history, add };
}

test("undo takes back the newest action and redo makes it again", () => {
  const { items, history, add } = world();
  add("a"); add("b");
  assert.strictEqual(history.undo(), true);
  assert.deepStrictEqual(items, ["a"]);
  assert.strictEqual(history.undo(), true);
  assert.deepStrictEqual(items, []);
  assert.strictEqual(history.redo(), true);
  assert.deepStrictEqual(items, ["a"]);
  assert.strictEqual(history.redo(), true);
  assert.deepStrictEqual(items, ["a", "b"]);
});

test("undo and redo with nothing to do change nothing and say so", () => {
  const { items, history, add } = world();
  assert.strictEqual(history.undo(), false);
  assert.strictEqual(history.redo(), false);
  add("a");
  assert.strictEqual(history.redo(), false);
  assert.deepStrictEqual(items, ["a"]);
});

test("a new action after an undo forgets what could be redone", () => {
  const { items, history, add } = world();
  add("a"); add("b");
  history.undo();
  add("c");
  assert.strictEqual(history.redo(), false);
  assert.deepStrictEqual(items, ["a", "c"]);
  assert.deepStrictEqual(history.sizes(), { undo: 2, redo: 0 });
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
