/* The save queue: every span and link change waits here, in localStorage, until the server
 * acknowledges it. Client-made ids make every retry idempotent (a PUT of the same id twice stores
 * one span), so a change is simply sent again until the answer is final.
 *
 * The queue belongs to one account and one document: its storage key names both (queueKey), so
 * another account logged in on the same browser never sees or sends it.
 *
 * What an answer means (classify):
 *   2xx                      done: the change leaves the queue.
 *   401, or a CSRF refusal    the session ended: the whole queue pauses, keeps every change, and
 *                            waits for resume() once the same account is logged in again.
 *   5xx, 408, 429, network    retried with back-off (Retry-After when the server sends one); other
 *                            changes go on meanwhile.
 *   any other 4xx (409 too)   final for that one change: it leaves the queue and is reported as
 *                            refused; the rest of the queue goes on.
 * Order is kept per span: a change waits while an earlier change of the same span (or, for a link,
 * of the link or either of its spans) is still queued, so a later edit never overtakes an earlier.
 *
 * Edits of a change that has not gone out yet are folded into it (coalesce), so a span made
 * offline and then relabelled, moved or deleted costs the server one request or none:
 *   PUT then PUT of one id       the later body replaces the queued one, in its place.
 *   PUT then DELETE of one id    the PUT becomes the DELETE, in its place; and when the PUT
 *                                creates the span (op.creates, set by the workspace) and was
 *                                never tried, both vanish: the server never hears of the span.
 *                                Deleting a span also drops the queued changes of its links
 *                                (the server deletes them with it and would refuse them).
 * A change being sent at that moment is never touched: the new one queues behind it. */

export const MAX_DELAY_MS = 30000;
export const MAX_RETRY_AFTER_MS = 300000;

export function queueKey(account, spansUrl) {
  return "annotator.queue." + account + "." + spansUrl;
}

/** "done" | "retry" | "auth" | "refused" for an answer {status, field} or {network: true}. */
export function classify(answer) {
  if (answer.network) return "retry";
  const status = answer.status;
  if (status >= 200 && status < 300) return "done";
  // 0: an opaque redirect (to the log-in page) that fetch was told not to follow.
  if (status === 401 || status === 0 || (status === 400 && answer.field === "csrf_token")) return "auth";
  if (status >= 500 || status === 408 || status === 429) return "retry";
  return "refused";
}

/** Milliseconds to wait before attempt `attempts + 1`; the server's Retry-After (s) wins. */
export function backoff(attempts, retryAfter) {
  if (typeof retryAfter === "number" && retryAfter >= 0) return Math.min(MAX_RETRY_AFTER_MS, retryAfter * 1000);
  return Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(Math.max(attempts, 1) - 1, 6));
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value, now) {
  if (value == null || value === "") return null;
  if (/^\d+$/.test(value.trim())) return +value.trim();
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}

/** The keys whose order a change must keep (see the header). */
export function orderKeys(op) {
  if (op.kind === "answer") return ["answer:" + op.id];
  if (op.kind === "relation") return ["relation:" + op.id].concat((op.spans || []).map((id) => "span:" + id));
  return ["span:" + op.id];
}

/** Words naming a change for a message: "new span «…» (claim)", "deleted link", … */
export function describe(op) {
  if (op.kind === "answer") return (op.method === "DELETE" ? "clearing the answer to " : "the answer to ") + op.id;
  if (op.kind === "relation") {
    return op.method === "DELETE" ? "deleting a link" : "link " + ((op.body && op.body.type) || "");
  }
  if (op.method === "DELETE") return "deleting a span";
  const text = Array.from((op.body && op.body.text) || "");
  const shown = text.length > 40 ? text.slice(0, 39).join("") + "…" : text.join("");
  return "span «" + shown + "» (" + op.body.label + ")";
}

/** The queued changes `ops` once `op` joins them, folded as the header says; `inFlight` is the
 * seq of the change being sent (untouchable) or null. Pure: returns a new list. */
export function coalesce(ops, op, inFlight) {
  const waiting = (other) => other.seq !== inFlight;
  const same = (other) => other.kind === op.kind && other.id === op.id;
  const last = [...ops].reverse().find(same);
  if (!last || !waiting(last) || last.method !== "PUT") return ops.concat([op]);
  if (op.method === "PUT") {
    const merged = Object.assign({}, last, { body: op.body, spans: op.spans || last.spans,
      steps: (last.steps || []).concat(op.steps || []) });
    return ops.map((other) => (other === last ? merged : other));
  }
  let kept = ops;
  if (op.kind === "span") {
    // the server deletes a span's links with it; queued changes of them would only be refused
    kept = kept.filter((other) => !(other.kind === "relation" && waiting(other) && (other.spans || []).includes(op.id)));
  }
  const alone = ops.filter(same).length === 1;
  if (last.creates && !last.attempts && alone) return kept.filter((other) => other !== last);
  const instead = Object.assign({}, last, { method: "DELETE", body: undefined, creates: undefined,
    steps: (last.steps || []).concat(op.steps || []) });
  return kept.map((other) => (other === last ? instead : other));
}

/** Sends one change with fetch; answers {status, error, field, retryAfter} or {network: true}. */
export function httpSender({ fetch, csrf, spansUrl, relationsUrl, answersUrl, now = Date.now }) {
  return async (op) => {
    // older queues: spans only; answers (questions.js) go to the document's answers
    const base = op.kind === "relation" ? relationsUrl : op.kind === "answer" ? answersUrl : spansUrl;
    let response;
    try {
      response = await fetch(base + "/" + encodeURIComponent(op.id), {
        method: op.method,
        headers: {
          "Content-Type": "application/json", "Accept": "application/json",
          "X-CSRFToken": csrf(), "X-Requested-With": "fetch",
        },
        body: op.method === "PUT" ? JSON.stringify(op.body) : undefined,
        credentials: "same-origin",
        redirect: "manual",
      });
    } catch (e) {
      return { network: true };
    }
    const answer = { status: response.status, error: null, field: null,
      retryAfter: parseRetryAfter(response.headers.get("Retry-After"), now()) };
    if (!response.ok) {
      try {
        const data = await response.json();
        answer.error = data.error || null;
        answer.field = data.field || null;
      } catch (e) { /* not JSON */ }
    }
    return answer;
  };
}

/**
 * A queue over `storage` (localStorage's interface) under `key`. `send(op)` answers as
 * httpSender does. `onChange(status)` hears every change of state:
 *   {state: "saving" | "retrying" | "auth" | "idle", pending, delay?, refused?: {op, message}}
 * "idle" means nothing can be sent now and nothing waits (pending === 0) or everything waits for
 * a back-off timer. `timers` and `now` are injectable for tests.
 */
export function createQueue({ storage, key, send, onChange = () => {}, timers = globalThis, now = Date.now }) {
  let ops = load();
  let sequence = ops.reduce((top, op) => Math.max(top, op.seq || 0), 0);
  let sending = false;
  let inFlight = null; // seq of the change being sent
  let paused = false;
  let timer = null;

  function load() {
    try {
      const stored = JSON.parse(storage.getItem(key) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (e) { return []; }
  }
  function store() {
    if (ops.length) storage.setItem(key, JSON.stringify(ops));
    else storage.removeItem(key);
  }
  function tell(state, extra) { onChange(Object.assign({ state, pending: ops.length }, extra)); }

  /** The first change that may go now: not waiting for back-off, no earlier change of its keys. */
  function nextOp() {
    const taken = new Set();
    const time = now();
    for (const op of ops) {
      const keys = orderKeys(op);
      const free = keys.every((k) => !taken.has(k));
      for (const k of keys) taken.add(k);
      if (free && (op.notBefore || 0) <= time) return op;
    }
    return null;
  }

  function wakeLater() {
    if (timer !== null) { timers.clearTimeout(timer); timer = null; }
    if (!ops.length || paused) return;
    const soonest = Math.min(...ops.map((op) => op.notBefore || 0));
    timer = timers.setTimeout(() => { timer = null; pump(); }, Math.max(0, soonest - now()));
  }

  function drop(op) { ops = ops.filter((other) => other.seq !== op.seq); store(); }

  async function pump() {
    if (sending || paused) return;
    const op = nextOp();
    if (!op) {
      wakeLater();
      if (!ops.length) tell("idle");
      return;
    }
    sending = true;
    inFlight = op.seq;
    tell("saving", { attempts: op.attempts || 0 });
    let answer;
    try { answer = await send(op); } catch (e) { answer = { network: true }; }
    sending = false;
    inFlight = null;
    const outcome = classify(answer);
    if (outcome === "done") drop(op);
    else if (outcome === "refused") {
      drop(op);
      const message = answer.error || "refused (" + answer.status + ")";
      tell("refused", { refused: { op, message: describe(op) + " was not saved: " + message } });
    } else if (outcome === "auth") {
      paused = true;
      if (timer !== null) { timers.clearTimeout(timer); timer = null; }
      tell("auth", { message: answer.error || null });
      return;
    } else {
      op.attempts = (op.attempts || 0) + 1;
      const delay = backoff(op.attempts, answer.retryAfter);
      op.notBefore = now() + delay;
      store();
      tell("retrying", { attempts: op.attempts, delay, network: !!answer.network, status: answer.status });
    }
    return pump();
  }

  return {
    /** Add a change ({kind, method, id, body?, spans?}) and start sending. */
    enqueue(op) {
      ops = coalesce(ops, Object.assign({}, op, { seq: ++sequence, attempts: 0, notBefore: 0 }), inFlight);
      store();
      return pump();
    },
    pump,
    /** Send again after a pause for the session; waiting back-offs are cut short. */
    resume() {
      paused = false;
      for (const op of ops) op.notBefore = 0;
      store();
      return pump();
    },
    /** Send now what waits for a back-off (the browser says it is online again). */
    retryNow() {
      for (const op of ops) op.notBefore = 0;
      store();
      return pump();
    },
    paused: () => paused,
    ops: () => ops.map((op) => Object.assign({}, op)),
    get length() { return ops.length; },
  };
}
