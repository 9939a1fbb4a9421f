// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import {
  MAX_DELAY_MS, backoff, classify, createQueue, httpSender, parseRetryAfter, queueKey,
} from "../../static/js/queue.js";

/** localStorage's interface over a Map. */
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    items,
  };
}

/** A clock and timers the test moves by hand. */
function manualTime() {
  let now = 0, nextId = 1;
  const due = new Map();
  return {
    now: () => now,
    timers: {
      setTimeout: (fn, ms) => { const id = nextId++; due.set(id, { fn, at: now + ms }); return id; },
      clearTimeout: (id) => due.delete(id),
    },
    async advance(ms) {
      now += ms;
      for (const [id, { fn, at }] of Array.from(due)) if (at <= now) { due.delete(id); fn(); }
      await settle();
    },
    waiting: () => Array.from(due.values()).map((entry) => entry.at - now),
  };
}

async function settle() { for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve)); }

/** A server that answers from a script: answers[i] for the i-th request (then 200). */
function scriptedServer(answers = []) {
  const requests = [];
  return {
    requests,
    send: async (op) => {
      requests.push({ id: op.id, method: op.method, body: op.body });
      const answer = answers[requests.length - 1];
      if (typeof answer === "function") return answer(op);
      return answer || { status: 200 };
    },
  };
}

function makeQueue(answers, extra = {}) {
  const storage = extra.storage || memoryStorage();
  const time = manualTime();
  const server = scriptedServer(answers);
  const events = [];
  const queue = createQueue({ storage, key: "k", send: server.send, timers: time.timers, now: time.now,
    onChange: (status) => events.push(status), ...extra });
  return { queue, storage, time, server, events };
}

const span = (id, label = "claim", start = 0, end = 4) => ({ kind: "span", method: "PUT", id,
  body: { label, start, end, note: "", attributes: {}, text: "Kyiv" } });

test("an enqueued change is stored until the server acknowledges it, then removed", async () => {
  let release;
  const { queue, storage, server } = makeQueue([() => new Promise((resolve) => { release = resolve; })]);
  queue.enqueue(span("a"));
  await settle();
  assert.strictEqual(JSON.parse(storage.getItem("k")).length, 1);
  release({ status: 200 });
  await settle();
  assert.strictEqual(queue.length, 0);
  assert.strictEqual(storage.getItem("k"), null);
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["a"]);
});

test("a reload resumes the stored queue", async () => {
  const storage = memoryStorage();
  storage.setItem("k", JSON.stringify([Object.assign(span("a"), { seq: 1 })]));
  const { queue, server } = makeQueue([], { storage });
  assert.strictEqual(queue.length, 1);
  await queue.pump();
  await settle();
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["a"]);
  assert.strictEqual(queue.length, 0);
});

test("the queue is keyed by account and document: one account never reads another's", () => {
  assert.notStrictEqual(queueKey("1", "/api/projects/p/documents/3/spans"),
    queueKey("2", "/api/projects/p/documents/3/spans"));
  const storage = memoryStorage();
  storage.setItem(queueKey("1", "/u"), JSON.stringify([span("a")]));
  const other = createQueue({ storage, key: queueKey("2", "/u"), send: async () => ({ status: 200 }) });
  assert.strictEqual(other.length, 0);
});

test("a network error is retried with back-off, with the same client id (idempotent)", async () => {
  const { queue, server, time, events } = makeQueue([{ network: true }, { network: true }]);
  queue.enqueue(span("a"));
  await settle();
  assert.strictEqual(server.requests.length, 1);
  assert.deepStrictEqual(time.waiting(), [500]);
  await time.advance(499);
  assert.strictEqual(server.requests.length, 1);
  await time.advance(1);
  assert.strictEqual(server.requests.length, 2);
  assert.deepStrictEqual(time.waiting(), [1000]); // doubled
  await time.advance(1000);
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["a", "a", "a"]);
  assert.deepStrictEqual(server.requests[0].body, server.requests[2].body);
  assert.strictEqual(queue.length, 0);
  assert.ok(events.some((e) => e.state === "retrying" && e.network));
});

test("a 5xx is retried; back-off grows and stops growing at its cap", () => {
  assert.strictEqual(classify({ status: 500 }), "retry");
  assert.strictEqual(classify({ status: 502 }), "retry");
  assert.deepStrictEqual([1, 2, 3, 4].map((n) => backoff(n)), [500, 1000, 2000, 4000]);
  assert.strictEqual(backoff(50), 30000);
});

test("a 503 with Retry-After waits as long as the server asks", async () => {
  const { queue, server, time } = makeQueue([{ status: 503, retryAfter: 7 }]);
  queue.enqueue(span("a"));
  await settle();
  assert.deepStrictEqual(time.waiting(), [7000]);
  await time.advance(6999);
  assert.strictEqual(server.requests.length, 1);
  await time.advance(1);
  assert.strictEqual(server.requests.length, 2);
  assert.strictEqual(queue.length, 0);
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  assert.strictEqual(parseRetryAfter("2", 0), 2);
  assert.strictEqual(parseRetryAfter(null, 0), null);
  assert.strictEqual(parseRetryAfter(new Date(10000).toUTCString(), 4000), 6);
  assert.strictEqual(parseRetryAfter("soon", 0), null);
});

test("a 4xx ends only that change, with a message naming it; the rest goes on", async () => {
  const { queue, server, events } = makeQueue([
    { status: 422, error: "start: the span is outside the text", field: "start" },
  ]);
  queue.enqueue(span("bad"));
  queue.enqueue(span("good"));
  await settle();
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["bad", "good"]);
  assert.strictEqual(queue.length, 0);
  const refused = events.filter((e) => e.state === "refused");
  assert.strictEqual(refused.length, 1);
  assert.match(refused[0].refused.message, /span «Kyiv» \(claim\) was not saved: start: the span is outside/);
});

test("a 409 conflict is final for that change too", () => {
  assert.strictEqual(classify({ status: 409 }), "refused");
  assert.strictEqual(classify({ status: 404 }), "refused");
});

test("a retrying change does not block a later independent change", async () => {
  const { queue, server } = makeQueue([{ status: 500 }]);
  queue.enqueue(span("a"));
  queue.enqueue(span("b"));
  await settle();
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["a", "b"]);
  assert.deepStrictEqual(queue.ops().map((op) => op.id), ["a"]);
});

test("a later edit of the same span never overtakes an earlier one that is retrying", async () => {
  const { queue, server, time } = makeQueue([{ status: 500 }]);
  queue.enqueue(span("a", "claim"));
  queue.enqueue(span("a", "evidence"));
  queue.enqueue({ kind: "relation", method: "PUT", id: "r", spans: ["a", "c"],
    body: { type: "source", source: "a", target: "c", value: null } });
  await settle();
  assert.strictEqual(server.requests.length, 1); // the relabel and the link wait
  await time.advance(500);
  assert.deepStrictEqual(server.requests.map((r) => [r.id, r.body.label || r.body.type]),
    [["a", "claim"], ["a", "claim"], ["a", "evidence"], ["r", "source"]]);
  assert.strictEqual(queue.length, 0);
});

test("a 401 pauses the queue and keeps every change until resume()", async () => {
  const { queue, server, time, events } = makeQueue([{ status: 401, error: "log in again" }]);
  queue.enqueue(span("a"));
  queue.enqueue(span("b"));
  await settle();
  await time.advance(60000);
  assert.strictEqual(server.requests.length, 1);
  assert.ok(queue.paused());
  assert.deepStrictEqual(queue.ops().map((op) => op.id), ["a", "b"]);
  assert.strictEqual(events.at(-1).state, "auth");
  await queue.resume();
  await settle();
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["a", "a", "b"]);
  assert.strictEqual(queue.length, 0);
});

test("a CSRF refusal or a redirect counts as an ended session, not as a refused change", () => {
  assert.strictEqual(classify({ status: 400, field: "csrf_token" }), "auth");
  assert.strictEqual(classify({ status: 0 }), "auth");
  assert.strictEqual(classify({ status: 400, field: "start" }), "refused");
});

test("httpSender sends the change to its own URL and reads the error answer", async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return { ok: false, status: 503, headers: { get: (name) => (name === "Retry-After" ? "2" : null) },
      json: async () => ({ error: "busy", field: null }) };
  };
  const send = httpSender({ fetch, csrf: () => "tok", spansUrl: "/s", relationsUrl: "/r" });
  const answer = await send(span("a b"));
  assert.deepStrictEqual(answer, { status: 503, error: "busy", field: null, retryAfter: 2 });
  assert.strictEqual(calls[0].url, "/s/a%20b");
  assert.strictEqual(calls[0].init.method, "PUT");
  assert.strictEqual(calls[0].init.headers["X-CSRFToken"], "tok");
  assert.strictEqual(calls[0].init.headers["X-Requested-With"], "fetch");
  await send({ kind: "relation", method: "DELETE", id: "r1" });
  assert.strictEqual(calls[1].url, "/r/r1");
  assert.strictEqual(calls[1].init.body, undefined);
  const offline = httpSender({ fetch: async () => { throw new TypeError("Failed to fetch"); },
    csrf: () => "", spansUrl: "/s", relationsUrl: "/r" });
  assert.deepStrictEqual(await offline(span("a")), { network: true });
});

// ---- coalescing: edits of a change not yet sent fold into it --------------------------------

const offline = () => ({ network: true });
const created = (id, label, start, end) => Object.assign(span(id, label, start, end), { creates: true });
const link = (id, source, target) => ({ kind: "relation", method: "PUT", id, spans: [source, target],
  body: { type: "supports", source, target, value: null } });

test("a span made offline and relabelled is sent once, with the last label and range", async () => {
  const { queue, server, time } = makeQueue([offline]);
  queue.enqueue(created("a", "claim", 0, 4));
  await settle(); // the first try fails: the server is unreachable
  queue.enqueue(span("a", "evidence", 0, 4));
  queue.enqueue(span("a", "evidence", 0, 9));
  assert.strictEqual(queue.length, 1);
  await time.advance(MAX_DELAY_MS);
  assert.deepStrictEqual(server.requests.map((r) => [r.method, r.body && r.body.label, r.body && r.body.end]),
    [["PUT", "claim", 4], ["PUT", "evidence", 9]]);
  assert.strictEqual(queue.length, 0);
});

test("a span made and deleted before any try is never sent, nor its links", async () => {
  let release;
  const { queue, server } = makeQueue([() => new Promise((resolve) => { release = resolve; })]);
  queue.enqueue(span("busy")); // in flight: the rest waits behind nothing of theirs
  await settle();
  queue.enqueue(created("a", "claim", 0, 4));
  queue.enqueue(link("l", "a", "busy"));
  queue.enqueue({ kind: "span", method: "DELETE", id: "a" });
  assert.deepStrictEqual(queue.ops().map((op) => op.id), ["busy"]);
  release({ status: 200 });
  await settle();
  assert.deepStrictEqual(server.requests.map((r) => r.id), ["busy"]);
});

test("a create that was tried may have arrived: deleting it sends a DELETE, not nothing", async () => {
  const { queue, server, time } = makeQueue([offline]);
  queue.enqueue(created("a"));
  await settle();
  queue.enqueue({ kind: "span", method: "DELETE", id: "a" });
  assert.deepStrictEqual(queue.ops().map((op) => [op.id, op.method]), [["a", "DELETE"]]);
  await time.advance(MAX_DELAY_MS);
  assert.deepStrictEqual(server.requests.map((r) => r.method), ["PUT", "DELETE"]);
});

test("deleting a saved span whose edit waits replaces the edit: the span is deleted on the server", async () => {
  const { queue, server, time } = makeQueue([offline]);
  queue.enqueue(span("a", "evidence")); // an update of a stored span (not a create)
  await settle();
  queue.enqueue({ kind: "span", method: "DELETE", id: "a" });
  await time.advance(MAX_DELAY_MS);
  assert.deepStrictEqual(server.requests.map((r) => r.method), ["PUT", "DELETE"]);
  assert.strictEqual(queue.length, 0);
});

test("a change being sent is never folded: the edit queues behind it", async () => {
  let release;
  const { queue, server } = makeQueue([() => new Promise((resolve) => { release = resolve; })]);
  queue.enqueue(created("a", "claim"));
  await settle();
  queue.enqueue(span("a", "evidence"));
  queue.enqueue({ kind: "span", method: "DELETE", id: "a" });
  assert.deepStrictEqual(queue.ops().map((op) => op.method), ["PUT", "DELETE"]);
  release({ status: 201 });
  await settle();
  assert.deepStrictEqual(server.requests.map((r) => r.method), ["PUT", "DELETE"]);
});

test("folded changes keep the history steps they carry (a refusal names them all)", () => {
  const { queue } = makeQueue([() => new Promise(() => {})]);
  queue.enqueue(span("busy"));
  queue.enqueue(Object.assign(span("a", "claim", 0, 4), { steps: [1] }));
  queue.enqueue(Object.assign(span("a", "claim", 0, 9), { steps: [2] }));
  assert.deepStrictEqual(queue.ops().find((op) => op.id === "a").steps, [1, 2]);
});

test("retryNow sends at once what waited for a back-off", async () => {
  const { queue, server } = makeQueue([offline]);
  queue.enqueue(span("a"));
  await settle();
  await queue.retryNow();
  await settle();
  assert.strictEqual(server.requests.length, 2);
  assert.strictEqual(queue.length, 0);
});
