/* annotator workspace: wires the modules together and holds the actions (each records its undo).
 *
 * The server renders the text with its highlights and the side panel's span and link lists
 * (templates/workspace/_body.html); the script measures selections (selection.js), sends span and
 * link changes through the save queue (queue.js) and then swaps the freshly rendered body in.
 * The queue belongs to the logged-in account (#workspace's data-account): when the server says the
 * session ended (401), the changes stay queued, a notice asks to log in again, and the queue goes
 * on once the same account is back (session.js); another account never sends them. */
import { createHistory, historyStorageKey, plan, staleReason } from "./history.js";
import { setupTags } from "./tags.js";
import { createQueue, httpSender, queueKey } from "./queue.js";
import { readPage, whoIsLoggedIn } from "./session.js";
import { pendingPainter, setupSelection } from "./selection.js";
import { setupPopover } from "./popover.js";
import { setupLinks } from "./links.js";
import { setupArcs } from "./arcs.js";
import { setupKeys } from "./keys.js";
import { setupQuestions } from "./questions.js";
import { setupCaret } from "./caret.js";
import { setupBoundaries } from "./boundaries.js";
import { setupKeyHelp } from "./keyhelp.js";
import { setupSuggestions } from "./suggestions.js";
import { startActiveTime } from "./activetime.js";
import {
  drawnInPlace, fits, linkData, linkItems, linksOf, marksOf, newId, showLinkChange, showSpanChange,
  showSpanDelete, spanData, textOf,
} from "./page.js";

const SESSION_CHECK_MS = 5000;

const root = document.getElementById("workspace");
if (root) start(root);

function start(root) {
  const data = root.dataset;
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
  const ws = {
    root,
    relationTypes: JSON.parse(data.relationTypes || "[]"),
    snap: data.snap === "true",
    readOnly: data.readOnly === "true",
    toolbar: document.getElementById("toolbar"),
    popover: document.getElementById("popover"),
    linkMenu: document.getElementById("link-menu"),
    linkHint: document.getElementById("link-hint"),
    state: { pendingSelection: null, editing: null, linking: null, hovered: null },
  };
  if (data.activeTimeUrl) startActiveTime({ url: data.activeTimeUrl, csrf: () => csrf });
  const saveState = document.getElementById("save-state");
  const notice = document.getElementById("save-notice");
  const labelIds = {}; // label name -> label id (for the CSS class / highlight name)
  for (const button of ws.toolbar.querySelectorAll("[data-label]")) labelIds[button.dataset.label] = button.dataset.labelId;
  const pending = pendingPainter();
  const history = createHistory({ storage: localStorage, key: historyStorageKey(data.account, data.spansUrl),
    apply: applyStep });

  // ---- what the annotator is told --------------------------------------------------------------
  function showState(state, message) {
    saveState.className = "save-state " + state;
    saveState.textContent = message || state;
  }
  let refusedSinceDrain = null;
  let travels = 0; // undos and redos pressed and not yet run: "saved" is not true until they have
  /** A lasting message in the notice area; `kind` replaces an earlier one of that kind. */
  function tell(kind, parts, dismissable) {
    let item = kind && notice.querySelector('[data-kind="' + kind + '"]');
    if (!item) {
      item = document.createElement("p");
      if (kind) item.dataset.kind = kind;
      notice.append(item);
    }
    item.replaceChildren(...parts);
    if (dismissable) {
      const close = document.createElement("button");
      close.type = "button";
      close.className = "link notice-close";
      close.textContent = "dismiss";
      close.addEventListener("click", () => { item.remove(); notice.hidden = !notice.children.length; });
      item.append(" ", close);
    }
    notice.hidden = false;
  }
  function untell(kind) {
    const item = notice.querySelector('[data-kind="' + kind + '"]');
    if (item) item.remove();
    notice.hidden = !notice.children.length;
  }
  function loginLink() {
    const link = document.createElement("a");
    link.href = data.loginUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Log in again (opens a new tab)";
    return link;
  }

  // ---- the save queue --------------------------------------------------------------------------
  const queue = createQueue({
    storage: localStorage,
    key: queueKey(data.account, data.spansUrl),
    send: httpSender({ fetch: (...args) => fetch(...args), csrf: () => csrf,
      spansUrl: data.spansUrl, relationsUrl: data.relationsUrl,
      answersUrl: (document.getElementById("questions") || { dataset: {} }).dataset.answersUrl }),
    onChange: queueChanged,
  });

  function queueChanged(status) {
    if (status.state === "saving") showState("saving", status.attempts ? "retrying…" : "saving…");
    else if (status.state === "retrying") {
      showState("failed", status.attempts >= 3
        ? "not saved yet: server unreachable, retrying in " + Math.round(status.delay / 1000) + " s (keep this tab open)"
        : "save failed, retrying…");
    } else if (status.state === "refused") {
      refusedSinceDrain = status.refused.message;
      tell(null, [status.refused.message], true);
      for (const step of status.refused.op.steps || []) history.forget(step); // nothing to undo
    } else if (status.state === "auth") {
      showState("failed", "not saved yet: you are logged out");
      tell("session", ["Your session has ended. " + status.pending + " change(s) are kept in this browser"
        + " and will be saved as " + data.accountName + " once you are logged in again. ", loginLink()]);
      watchSession();
    } else if (status.state === "idle") drained();
  }

  async function drained() {
    // Show the server's rendering of what is now stored, then say so.
    try { await refreshBody(); } catch (e) { /* the next change refreshes again */ }
    if (queue.length) return; // a change arrived meanwhile; its sending reports the state
    if (travels) return; // an undo or redo is on its way: it reports the state when it has run
    if (refusedSinceDrain) showState("failed", "not saved: " + refusedSinceDrain);
    else showState("saved");
    refusedSinceDrain = null;
  }

  // ---- the session: resume only for the account that made the changes -------------------------
  let sessionTimer = null;
  function watchSession() {
    if (sessionTimer === null) sessionTimer = setInterval(checkSession, SESSION_CHECK_MS);
  }
  let checking = false;
  async function checkSession() {
    if (checking || !queue.paused()) return;
    checking = true;
    try {
      const now = await whoIsLoggedIn({ fetch: (...args) => fetch(...args), url: location.href,
        account: data.account, parse: readPage });
      if (now.state === "same") {
        if (now.csrf) csrf = now.csrf;
        clearInterval(sessionTimer);
        sessionTimer = null;
        untell("session");
        queue.resume();
      } else if (now.state === "other") {
        tell("session", ["Another account is logged in now. The " + queue.length + " change(s) kept in this"
          + " browser belong to " + data.accountName + " and are not sent for anyone else: log in as "
          + data.accountName + " to save them. ", loginLink()]);
      }
    } finally {
      checking = false;
    }
  }
  window.addEventListener("focus", checkSession);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) checkSession(); });

  function refreshBody() {
    // Plain fetch + innerHTML: the fragment has no hx-* attributes, so htmx processing of
    // thousands of marks would only cost time.
    return fetch(data.bodyUrl, { credentials: "same-origin", redirect: "manual",
      headers: { "HX-Request": "true", "X-Requested-With": "fetch" } })
      .then((response) => {
        if (!response.ok) throw new Error("refresh failed: " + response.status);
        return response.text();
      })
      .then((html) => {
        const focus = ws.focusBefore ? ws.focusBefore() : null;
        document.getElementById("body").innerHTML = html;
        ws.state.hovered = null;
        if (focus) focus(); // focus never drops to <body> when the body is drawn anew
        if (ws.state.linking) for (const mark of marksOf(ws.state.linking.source)) mark.classList.add("link-source");
        showQueued();
      });
  }

  /** Paint queued spans and show queued changes in the side panel again (after a new body). */
  function showQueued() {
    pending.clear();
    for (const op of queue.ops()) {
      if (op.kind === "answer") continue; // shown by questions.js
      if (op.kind === "relation") { showLinkChange(op); continue; }
      if (op.method === "PUT") showSpan(Object.assign({ id: op.id }, op.body));
      else showSpanDelete(op.id);
    }
    pending.paint();
    root.dispatchEvent(new CustomEvent("workspace:changed"));
  }
  /** A span as queued: in the list at once, painted pending where the server's marks do not show it. */
  function showSpan(span) {
    showSpanChange(span);
    if (drawnInPlace(span.id)) pending.remove(span.id);
    else pending.add(span.id, labelIds[span.label], span.start, span.end);
  }

  // ---- changes (each op names the history step it belongs to: a refusal forgets that step) ------
  function put(span, step, creates) {
    const op = { kind: "span", method: "PUT", id: span.id, steps: [step], body: {
      label: span.label, start: span.start, end: span.end, note: span.note || "",
      attributes: span.attributes || {}, named_source: span.named_source || null,
      text: textOf(span.start, span.end),
    } };
    if (creates) op.creates = true;
    showSpan(Object.assign({ id: span.id }, op.body));
    pending.paint();
    queue.enqueue(op);
  }
  function remove(id, step) {
    for (const link of linksOf(id)) showLinkChange({ kind: "relation", method: "DELETE", id: link.id });
    showSpanDelete(id);
    pending.remove(id);
    pending.paint();
    queue.enqueue({ kind: "span", method: "DELETE", id, steps: [step] }); // the server deletes its links
  }
  function putLink(link, step) {
    const op = { kind: "relation", method: "PUT", id: link.id, spans: [link.source, link.target], steps: [step],
      body: { type: link.type, source: link.source, target: link.target, value: link.value || null } };
    showLinkChange(op);
    queue.enqueue(op);
  }
  function removeLink(link, step) {
    const op = { kind: "relation", method: "DELETE", id: link.id, spans: [link.source, link.target], steps: [step] };
    showLinkChange(op);
    queue.enqueue(op);
  }

  // ---- actions: each is a history step (data, kept in localStorage), made by applying it -------
  /** Go `direction` through `step`, unless its spans are no longer as it left them (the reason). */
  function applyStep(step, direction) {
    if (step.suggestion) { // accepting or rejecting a suggestion: its own requests
      if (!ws.suggestionStep) return "suggestions are not shown on this page now";
      ws.suggestionStep(step.suggestion[direction]);
      return null;
    }
    const { expect, actions } = plan(step, direction);
    const stale = staleReason(expect, spanData);
    if (stale) return stale;
    for (const action of actions) {
      if (action.type === "deleteLink") removeLink(action.link, step.id);
      else if (action.type === "putSpan") put(action.span, step.id, action.creates);
      else if (action.type === "deleteSpan") remove(action.id, step.id);
      else putLink(action.link, step.id);
    }
    root.dispatchEvent(new CustomEvent("workspace:changed"));
    return null;
  }
  const values = (span) => span && { label: span.label, start: span.start, end: span.end, note: span.note || "",
    attributes: span.attributes || {}, named_source: span.named_source || null };
  function act(step) {
    const id = history.record(step);
    applyStep(Object.assign({ id }, step), "redo");
  }

  ws.createSpan = (label) => {
    const selection = ws.state.pendingSelection;
    if (!selection || ws.readOnly) return;
    const id = newId();
    act({ what: "making a span", spans: [{ id, before: null,
      after: { label, start: selection.start, end: selection.end, note: "", attributes: {} } }] });
    ws.clearSelection();
    return id;
  };

  /** Change a span's label, note, attributes or range (`what` names the step in messages). */
  ws.updateSpan = (id, changes, what = "changing a span") => {
    const before = spanData(id);
    if (!before) return;
    const after = Object.assign({}, before, changes);
    let broken = [];
    if (after.label !== before.label) {
      if (!("named_source" in changes) && !ws.linksSource(after.label)) after.named_source = null;
      if (!changes.attributes) {
        const names = ws.attributeNames(after.label);
        after.attributes = Object.fromEntries(Object.entries(before.attributes).filter(([name]) => names.includes(name)));
      }
      broken = linksOf(id).filter((link) => {
        const type = ws.relationTypes.find((candidate) => candidate.name === link.type);
        const source = link.source === id ? after : spanData(link.source);
        const target = link.target === id ? after : spanData(link.target);
        return type && source && target && !fits(type, source.label, target.label);
      });
      if (broken.length && !window.confirm(
        "As " + after.label + ", this span no longer fits " + broken.length + " of its links ("
        + broken.map((link) => link.type).join(", ") + "). Relabel it and delete those links?")) return;
    }
    act({ what, spans: [{ id, before: values(before), after: values(after) }],
      links: broken.map((link) => ({ id: link.id, before: link, after: null })) });
  };

  ws.deleteSpan = (id) => {
    const before = spanData(id);
    if (!before) return false;
    const links = linksOf(id);
    if (links.length && !window.confirm(
      "This span has " + links.length + " link" + (links.length === 1 ? "" : "s")
      + ". Deleting the span deletes " + (links.length === 1 ? "it" : "them") + " too. Delete?")) return false;
    act({ what: "deleting a span", spans: [{ id, before: values(before), after: null }],
      links: links.map((link) => ({ id: link.id, before: link, after: null })) });
    return true;
  };

  ws.createLink = (link) => {
    const made = Object.assign({ id: newId() }, link);
    act({ what: "making a link", spans: [], links: [{ id: made.id, before: null, after: made }] });
  };

  function deleteLink(id) {
    const item = document.querySelector('#relation-list li[data-relation="' + CSS.escape(id) + '"]');
    if (!item) return;
    const before = linkData(item);
    act({ what: "deleting a link", spans: [], links: [{ id, before, after: null }] });
  }

  ws.deleteLink = deleteLink;
  /** Give a link another type (its value kept only if the new type offers it); undoable. */
  ws.relabelLink = (before, type) => {
    const after = Object.assign({}, before, { type: type.name,
      value: type.choices.includes(before.value) ? before.value : null });
    act({ what: "relabelling a link", spans: [], links: [{ id: before.id, before, after }] });
  };

  /** Undo or redo; a stale step says so (it is dropped) instead of changing something else.
   * The body is drawn anew first when nothing is queued, so a span deleted or changed in another
   * tab is seen as such (offline, the page's own state is the best there is). One at a time, in
   * the order pressed. */
  let travelling = Promise.resolve();
  function travel(direction) {
    showState("saving", "checking…");
    travels += 1;
    travelling = travelling.then(async () => {
      // With changes queued, the page is newer than the server (a body fetched meanwhile could
      // miss a change that lands while it is on its way): judge by the page then.
      if (!queue.length) {
        try { await refreshBody(); } catch (e) { /* offline: judge by what the page shows */ }
      }
      let answer;
      try {
        answer = direction === "undo" ? history.undo() : history.redo();
      } finally {
        travels -= 1;
      }
      if (answer.stale) {
        tell("history", ["Cannot " + direction + " " + answer.step.what + ": " + answer.stale
          + " (in another tab, or refused by the server)."], true);
      } else if (answer.done) untell("history");
      if (!queue.length && !travels) showState("saved");
      return answer.done;
    });
    return travelling;
  }
  ws.undo = () => travel("undo");
  ws.redo = () => travel("redo");

  setupSelection(ws);
  setupPopover(ws);
  setupLinks(ws);
  setupKeys(ws);
  setupQuestions({ enqueue: (op) => queue.enqueue(op), queued: () => queue.ops(), tell: (message) => tell(null, [message], true) });
  setupTags(root);
  setupArcs(ws);
  setupCaret(ws);
  setupBoundaries(ws);
  setupKeyHelp(ws);
  // Accepting or rejecting a suggestion is a step of its own (requests kept as data, so its undo
  // survives a reload like any other; see applyStep).
  const suggestions = setupSuggestions(Object.assign(ws, {
    csrf: () => csrf, refreshBody, removeSpan: (id) => remove(id, null), newId,
    record: (step) => history.record(step),
  }));

  // ---- clicks in the workspace: link target, delete link, open a span ------------------------
  root.addEventListener("click", (event) => {
    const mark = event.target.closest("#text mark[data-span]");
    const item = event.target.closest("#span-list li[data-span]");
    if (ws.state.linking && (mark || item) && window.getSelection().isCollapsed) {
      const target = mark || item;
      const rect = (mark || document.querySelector('#text mark[data-span="' + CSS.escape(item.dataset.span) + '"]') || item).getBoundingClientRect();
      ws.pickTarget(target.dataset.span, rect);
      return;
    }
    const removeButton = event.target.closest("#relation-list li[data-relation] .link-delete");
    if (removeButton && !ws.readOnly) { deleteLink(removeButton.closest("li").dataset.relation); return; }
    if (mark && window.getSelection().isCollapsed && !mark.classList.contains("deleted")) {
      ws.openPopover(mark.dataset.span, mark.getBoundingClientRect());
      return;
    }
    if (item) {
      const target = document.querySelector('#text mark[data-span="' + CSS.escape(item.dataset.span) + '"]');
      if (!drawnInPlace(item.dataset.span)) ws.selectSpan(item.dataset.span); // queued: painted pending
      else if (target) {
        target.scrollIntoView({ block: "center" }); // at once: a smooth scroll misses a span in a text block not yet laid out (app.css)
        for (const part of marksOf(item.dataset.span)) {
          part.classList.add("flash");
          setTimeout(() => part.classList.remove("flash"), 1200);
        }
        ws.openPopover(item.dataset.span, target.getBoundingClientRect());
      }
    }
  });

  // Back online: what waits for a back-off goes now, not at the end of its wait.
  window.addEventListener("online", () => queue.retryNow());

  window.addEventListener("beforeunload", (event) => {
    if (queue.length) { event.preventDefault(); event.returnValue = ""; }
  });

  // Expose a little for tests and for the curious.
  window.annotatorWorkspace = {
    queue: () => queue.ops(), undo: ws.undo, redo: ws.redo, refreshBody, pending: () => pending.size,
    links: () => linkItems().map(linkData), checkSession, history: () => history.sizes(),
    caret: () => ws.state.caret, selected: () => ws.state.editing,
    suggestions: () => (suggestions ? suggestions.list() : []),
  };
  if (queue.length) { showQueued(); queue.pump(); }
}
