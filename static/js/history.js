/* Undo and redo: a pure history of steps, each a pair of functions that undo and redo one action.
 * Recording a new action forgets what could be redone (as every editor does), so redo never
 * replays an action onto a state it was not made in. The keys are decided here too, so that the
 * node tests pin them: Ctrl/⌘+Z undoes, Ctrl/⌘+Shift+Z and Ctrl+Y redo. */

export function createHistory() {
  const done = [];
  const undone = [];
  return {
    /** Record an action just made: ``{undo, redo}``. */
    record(step) {
      done.push(step);
      undone.length = 0;
    },
    /** Undo the newest action; false when there is none. */
    undo() {
      const step = done.pop();
      if (!step) return false;
      step.undo();
      undone.push(step);
      return true;
    },
    /** Redo the newest undone action; false when there is none. */
    redo() {
      const step = undone.pop();
      if (!step) return false;
      step.redo();
      done.push(step);
      return true;
    },
    sizes: () => ({ undo: done.length, redo: undone.length }),
  };
}

/** "undo", "redo" or null for a keydown event (only its key and modifier fields are read). */
export function historyKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = (event.key || "").toLowerCase();
  if (key === "z") return event.shiftKey ? "redo" : "undo";
  if (key === "y" && !event.shiftKey) return "redo";
  return null;
}
