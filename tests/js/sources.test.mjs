import { test } from "node:test";
import assert from "node:assert/strict";
import { choiceOf, moveActive, nameKey, optionsFor } from "../../static/js/sources.js";

test("a name's key collapses white space and ignores case, as the server's does", () => {
  assert.equal(nameKey("  The   GUARDIAN "), "the guardian");
  assert.equal(nameKey("Reuters\tagency"), "reuters agency");
  assert.equal(nameKey(""), "");
});

test("the options are the sources found, then creating the typed name unless one has its key", () => {
  const found = [{ id: 1, name: "Reuters", kind: "outlet" }, { id: 2, name: "Reuters agency", kind: "outlet" }];
  assert.deepEqual(optionsFor("re", found), [...found, { create: "re" }]);
  assert.deepEqual(optionsFor(" REUTERS ", found), found);
  assert.deepEqual(optionsFor("  Jane   Doe ", []), [{ create: "Jane Doe" }]);
  assert.deepEqual(optionsFor("   ", []), []);
});

test("arrow keys move the active option round, starting at either end", () => {
  assert.equal(moveActive(-1, 3, "ArrowDown"), 0);
  assert.equal(moveActive(2, 3, "ArrowDown"), 0);
  assert.equal(moveActive(-1, 3, "ArrowUp"), 2);
  assert.equal(moveActive(0, 3, "ArrowUp"), 2);
  assert.equal(moveActive(1, 3, "Enter"), 1);
  assert.equal(moveActive(0, 0, "ArrowDown"), -1);
});

test("a picked source is named by id, a new one by name with the chosen kind", () => {
  assert.deepEqual(choiceOf({ id: 7, name: "Reuters", kind: "outlet" }, "person"), { id: 7, name: "Reuters", kind: "outlet" });
  assert.deepEqual(choiceOf({ create: "Jane Doe" }, "person"), { name: "Jane Doe", kind: "person" });
  assert.deepEqual(choiceOf({ create: "AP" }, ""), { name: "AP", kind: "person" });
});
