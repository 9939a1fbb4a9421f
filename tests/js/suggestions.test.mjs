// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { countByLabel, current, suggestionKey, without } from "../../static/js/suggestions.js";

const LIST = [
  { id: 1, label: "attribution", label_id: 3, start: 0, end: 5 },
  { id: 2, label: "claim", label_id: 1, start: 6, end: 9 },
  { id: 3, label: "attribution", label_id: 3, start: 10, end: 12 },
];

test("after accepting or rejecting one, the next in text order becomes current", () => {
  assert.deepStrictEqual(without(LIST, 2).list.map((item) => item.id), [1, 3]);
  assert.strictEqual(without(LIST, 2).next, 3);
  assert.strictEqual(without(LIST, 3).next, 2); // the last one: the one before it
  assert.strictEqual(without([LIST[0]], 1).next, null);
  assert.strictEqual(without(LIST, 99).list, LIST); // unknown id: nothing changes
});

test("accept all counts each label's suggestions in first-seen order", () => {
  assert.deepStrictEqual(countByLabel(LIST), [
    { label: "attribution", labelId: 3, count: 2 },
    { label: "claim", labelId: 1, count: 1 },
  ]);
  assert.deepStrictEqual(countByLabel([]), []);
});

test("the current suggestion is the focused one, else the first", () => {
  assert.strictEqual(current(LIST, 3).id, 3);
  assert.strictEqual(current(LIST, null).id, 1);
  assert.strictEqual(current(LIST, 42).id, 1);
  assert.strictEqual(current([], null), null);
});

test("Enter accepts, x and Backspace reject, modified keys do nothing", () => {
  assert.strictEqual(suggestionKey({ key: "Enter" }), "accept");
  assert.strictEqual(suggestionKey({ key: "Backspace" }), "reject");
  assert.strictEqual(suggestionKey({ key: "x" }), "reject");
  assert.strictEqual(suggestionKey({ key: "X" }), "reject");
  assert.strictEqual(suggestionKey({ key: "Enter", ctrlKey: true }), null);
  assert.strictEqual(suggestionKey({ key: "z", metaKey: true }), null);
  assert.strictEqual(suggestionKey({ key: "1" }), null);
});
