import { test } from "node:test";
import assert from "node:assert/strict";
import { missingRequired, readAttribute, withValue } from "../../static/js/attributes.js";

test("a boolean's select reads as true, false, or no value", () => {
  assert.deepEqual(readAttribute("boolean", "true"), { value: true });
  assert.deepEqual(readAttribute("boolean", "false"), { value: false });
  assert.deepEqual(readAttribute("boolean", ""), { clear: true });
});

test("the other kinds read as document questions do", () => {
  assert.deepEqual(readAttribute("scale", "4"), { value: 4 });
  assert.deepEqual(readAttribute("multiple", ["a", "b"]), { value: ["a", "b"] });
  assert.deepEqual(readAttribute("multiple", []), { clear: true });
  assert.deepEqual(readAttribute("number", "2.5"), { value: 2.5 });
  assert.ok(readAttribute("number", "two").invalid);
  assert.deepEqual(readAttribute("text", "  "), { clear: true });
  assert.deepEqual(readAttribute("single", "hedged"), { value: "hedged" });
});

test("setting a value keeps the span's other values; clearing removes only its own", () => {
  const values = { source_type: "anonymous", reliability: 2 };
  assert.deepEqual(withValue(values, "reliability", { value: 5 }), { source_type: "anonymous", reliability: 5 });
  assert.deepEqual(withValue(values, "reliability", { clear: true }), { source_type: "anonymous" });
  assert.deepEqual(withValue(values, "verifiable", { value: false }), { ...values, verifiable: false });
  assert.deepEqual(values, { source_type: "anonymous", reliability: 2 }); // not changed in place
});

test("a false boolean counts as an answer to a required attribute", () => {
  assert.deepEqual(missingRequired(["verifiable", "reliability"], { verifiable: false }), ["reliability"]);
  assert.deepEqual(missingRequired(["verifiable"], { verifiable: false }), []);
});
