// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { createTracker, IDLE_MS } from "../../static/js/activetime.js";

const SECOND = 1000, MINUTE = 60 * SECOND;

test("time with input at least every two minutes counts in full", () => {
  const tracker = createTracker(0);
  for (let t = MINUTE; t <= 10 * MINUTE; t += MINUTE) tracker.input(t);
  assert.strictEqual(tracker.seconds(10 * MINUTE), 600);
});

test("idle beyond two minutes is not counted", () => {
  const tracker = createTracker(0);
  tracker.input(30 * SECOND);
  // nothing for ten minutes: only the two minutes after the last input count
  assert.strictEqual(tracker.seconds(30 * SECOND + 10 * MINUTE), 30 + IDLE_MS / SECOND);
  tracker.input(30 * SECOND + 10 * MINUTE);
  assert.strictEqual(tracker.seconds(30 * SECOND + 11 * MINUTE), 30 + 120 + 60);
});

test("a hidden tab counts nothing, even with recent input", () => {
  const tracker = createTracker(0);
  tracker.visibility(false, 10 * SECOND);
  tracker.input(20 * SECOND);
  assert.strictEqual(tracker.seconds(50 * SECOND), 10);
  tracker.visibility(true, 50 * SECOND);
  assert.strictEqual(tracker.seconds(60 * SECOND), 20);
});

test("a tracker started in a hidden tab waits until it is shown", () => {
  const tracker = createTracker(0, { visible: false });
  assert.strictEqual(tracker.seconds(MINUTE), 0);
  tracker.visibility(true, MINUTE);
  tracker.input(MINUTE);
  assert.strictEqual(tracker.seconds(MINUTE + 5 * SECOND), 5);
});

test("the total never decreases, asked repeatedly or with a clock that went back", () => {
  const tracker = createTracker(0);
  const first = tracker.seconds(90 * SECOND);
  assert.strictEqual(tracker.seconds(90 * SECOND), first);
  assert.strictEqual(tracker.seconds(10 * SECOND), first);
  tracker.input(5 * SECOND);
  assert.ok(tracker.seconds(100 * SECOND) >= first);
});

test("whole seconds: a part second is kept for later, not rounded up", () => {
  const tracker = createTracker(0);
  assert.strictEqual(tracker.seconds(1500), 1);
  assert.strictEqual(tracker.seconds(2000), 2);
});
