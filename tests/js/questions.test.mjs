// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { answerOp, readValue, unansweredRequired, withQueued } from "../../static/js/questions.js";
import { createQueue, describe, httpSender, orderKeys } from "../../static/js/queue.js";

test("inputs of each kind give the value the server stores, or a clear", () => {
  assert.deepStrictEqual(readValue("scale", "4"), { value: 4 });
  assert.deepStrictEqual(readValue("single", "opinion"), { value: "opinion" });
  assert.deepStrictEqual(readValue("single", null), { clear: true });
  assert.deepStrictEqual(readValue("multiple", ["war", "money"]), { value: ["war", "money"] });
  assert.deepStrictEqual(readValue("multiple", []), { clear: true });
  assert.deepStrictEqual(readValue("number", "2.5"), { value: 2.5 });
  assert.deepStrictEqual(readValue("number", "  "), { clear: true });
  assert.ok(readValue("number", "two").invalid);
  assert.deepStrictEqual(readValue("text", "Wire copy"), { value: "Wire copy" });
  assert.deepStrictEqual(readValue("text", ""), { clear: true });
});

test("an answer is a PUT of its value under the question's name; a clear is a DELETE", () => {
  assert.deepStrictEqual(answerOp("credibility", { value: 3 }),
    { kind: "answer", method: "PUT", id: "credibility", body: { value: 3 } });
  assert.deepStrictEqual(answerOp("credibility", { clear: true }),
    { kind: "answer", method: "DELETE", id: "credibility" });
});

test("queued answer changes show over the stored answers, in order, ignoring spans", () => {
  const stored = { credibility: 2, genre: "news" };
  const ops = [
    { kind: "span", method: "PUT", id: "credibility", body: { label: "claim" } },
    answerOp("credibility", { value: 5 }),
    answerOp("genre", { clear: true }),
    answerOp("summary", { value: "x" }),
    answerOp("summary", { value: "y" }),
  ];
  assert.deepStrictEqual(withQueued(stored, ops), { credibility: 5, summary: "y" });
  assert.deepStrictEqual(stored, { credibility: 2, genre: "news" });
});

test("mark done names the required questions still unanswered", () => {
  assert.deepStrictEqual(unansweredRequired(["credibility", "genre"], { genre: "news" }), ["credibility"]);
  assert.deepStrictEqual(unansweredRequired(["credibility"], { credibility: 1 }), []);
});

test("answers keep their order per question only, and are described by name", () => {
  assert.deepStrictEqual(orderKeys(answerOp("credibility", { value: 1 })), ["answer:credibility"]);
  assert.strictEqual(describe(answerOp("genre", { value: "news" })), "the answer to genre");
});

test("the save queue sends an answer to the answers URL with its value, and keeps it on a 401", async () => {
  const calls = [];
  let status = 401;
  const fetch = async (url, init) => {
    calls.push({ url, method: init.method, body: init.body });
    return { ok: status < 300, status, headers: { get: () => null }, json: async () => ({}) };
  };
  const send = httpSender({ fetch, csrf: () => "t", spansUrl: "/s", relationsUrl: "/r", answersUrl: "/a" });
  const items = new Map();
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) };
  const queue = createQueue({ storage, key: "k", send });
  await queue.enqueue(answerOp("credibility", { value: 4 }));
  assert.deepStrictEqual(calls, [{ url: "/a/credibility", method: "PUT", body: '{"value":4}' }]);
  assert.strictEqual(queue.length, 1); // the session ended: kept, in localStorage too
  assert.strictEqual(JSON.parse(items.get("k"))[0].id, "credibility");
  status = 200;
  await queue.resume();
  assert.strictEqual(queue.length, 0);
  assert.strictEqual(calls.length, 2);
});
