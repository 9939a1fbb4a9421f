/* Active time in the workspace: time counts while the tab is visible and the annotator gave
 * input (key, pointer, scroll) within the last two minutes; idle beyond two minutes and a hidden
 * tab are not counted.
 *
 * createTracker is pure (the caller passes the time, in ms): node tests drive it with a manual
 * clock. startActiveTime wires it to the page and sends the visit's running total, in whole
 * seconds, to the server with PUT …/active-time/<visit>; the server keeps the largest total it
 * has seen per visit, so a resend, a retry or a late request never counts twice. */

export const IDLE_MS = 2 * 60 * 1000;
export const SEND_EVERY_MS = 15 * 1000;

/** A tracker that starts at `now` (a page load counts as input), visible or not. */
export function createTracker(now, { visible = true, idleMs = IDLE_MS } = {}) {
  let counted = 0; // ms counted up to `mark`
  let mark = now;
  let lastInput = now;
  let shown = visible;

  /** Count the active part of [mark, t]: visible, and within idleMs of the last input. */
  function advance(t) {
    if (t < mark) return; // a clock that went back counts nothing
    if (shown) {
      const end = Math.min(t, lastInput + idleMs);
      if (end > mark) counted += end - mark;
    }
    mark = t;
  }
  return {
    input(t) { advance(t); if (t >= lastInput) lastInput = t; },
    visibility(isVisible, t) { advance(t); shown = isVisible; },
    /** Whole seconds counted up to `t`: never decreases. */
    seconds(t) { advance(t); return Math.floor(counted / 1000); },
  };
}

/** A visit id: random, so two tabs of one document are two visits. */
export function visitId(random = () => crypto.randomUUID()) {
  return random();
}

/** Wire a tracker to the page; sends the running total every SEND_EVERY_MS and when the tab is
 * hidden. `url` is the endpoint without the visit id; `csrf()` gives the current token. */
export function startActiveTime({ url, csrf, doc = document, win = window, now = () => Date.now() }) {
  const tracker = createTracker(now(), { visible: doc.visibilityState === "visible" });
  const target = url.replace(/\/$/, "") + "/" + visitId();
  let sent = 0;
  const input = () => tracker.input(now());
  for (const type of ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "touchstart"]) {
    win.addEventListener(type, input, { passive: true, capture: true });
  }
  function send(keepalive) {
    const seconds = tracker.seconds(now());
    if (seconds <= sent) return;
    win.fetch(target, {
      method: "PUT",
      credentials: "same-origin",
      redirect: "manual",
      keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ seconds }),
    }).then((response) => { if (response.ok) sent = Math.max(sent, seconds); }, () => {});
  }
  doc.addEventListener("visibilitychange", () => {
    const visible = doc.visibilityState === "visible";
    tracker.visibility(visible, now());
    if (!visible) send(true);
  });
  win.addEventListener("pagehide", () => send(true));
  win.setInterval(() => send(false), SEND_EVERY_MS);
  return { tracker, send };
}
