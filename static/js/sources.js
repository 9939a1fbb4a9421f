/* The popover's Source field (the source registry): for a span whose label names a source, type a
 * few letters and the project's sources that match are offered (GET …/api/projects/<slug>/sources,
 * debounced); pick one with the mouse or the arrow keys and Enter, or "Create “…”" with a kind.
 * The choice is saved like any change of the span, through ws.updateSpan (queued, idempotent):
 * a picked source as {id, name, kind}, a new one as {name, kind}: the server finds or creates it
 * by name, so a save queued offline, or two annotators typing one name, make one source.
 *
 * The pure functions (nameKey, optionsFor, moveActive, choiceOf) carry the logic and have node
 * tests (tests/js/sources.test.mjs); setupSources wires them to the popover (an ARIA combobox). */

export const DEBOUNCE_MS = 200;

/** The key that makes two names one source, as the server's source_names.name_key: white space
 * collapsed, case folded (toLowerCase: the browser has no casefold). */
export function nameKey(name) {
  return String(name || "").normalize("NFC").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
}

/** The options for `query` given the sources `found` ([{id, name, kind}]): each of them, then
 * {create: name} unless the query is empty or one of them has its key. */
export function optionsFor(query, found) {
  const name = String(query || "").split(/\s+/).filter(Boolean).join(" ");
  const options = found.map((source) => ({ id: source.id, name: source.name, kind: source.kind }));
  if (name && !found.some((source) => nameKey(source.name) === nameKey(name))) options.push({ create: name });
  return options;
}

/** The active option's index after `key` (ArrowDown / ArrowUp wrap round; -1: none active). */
export function moveActive(index, count, key) {
  if (!count) return -1;
  if (key === "ArrowDown") return index < 0 ? 0 : (index + 1) % count;
  if (key === "ArrowUp") return index < 0 ? count - 1 : (index - 1 + count) % count;
  return index;
}

/** The span's `named_source` for an option: a picked source by id (with its name and kind, so
 * the side panel shows it at once), a new one by name and `kind`. */
export function choiceOf(option, kind) {
  if (option.create) return { name: option.create, kind: kind || "person" };
  return { id: option.id, name: option.name, kind: option.kind };
}

/* ---- the popover ----------------------------------------------------------------------------- */

/**
 * Wires #source-field. Gives `ws` showSource(data) (the field for the open span, or hidden) and
 * linksSource(label). Needs `fetch` (injectable for tests) for the suggestions; when it fails
 * (offline), only "Create “…”" is offered, and the save waits in the queue like any other.
 */
export function setupSources(ws, { fetch = (...args) => globalThis.fetch(...args), timers = globalThis } = {}) {
  const field = document.getElementById("source-field");
  const linking = new Set(Array.from(document.querySelectorAll("#toolbar [data-links-source]"), (b) => b.dataset.label));
  ws.linksSource = (label) => linking.has(label);
  if (!field) { ws.showSource = () => {}; return; }
  const input = document.getElementById("source-input");
  const list = document.getElementById("source-options");
  const chosen = document.getElementById("source-chosen");
  const clear = document.getElementById("source-clear");
  const kind = document.getElementById("source-kind");
  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0; // the latest request: an older answer arriving late is dropped

  function showChosen(source) {
    chosen.textContent = source ? source.name + " (" + source.kind + ")" : "none";
    clear.hidden = !source;
  }
  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }
  function render() {
    list.replaceChildren(...options.map((option, index) => {
      const item = document.createElement("li");
      item.id = "source-option-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === active ? "true" : "false");
      item.className = "source-option" + (index === active ? " active" : "") + (option.create ? " create" : "");
      item.dataset.index = String(index);
      item.textContent = option.create ? "Create “" + option.create + "”" : option.name + " · " + option.kind;
      return item;
    }));
    list.hidden = !options.length;
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", "source-option-" + active);
    else input.removeAttribute("aria-activedescendant");
  }
  async function suggest() {
    const query = input.value;
    const mine = ++asked;
    let found = [];
    if (query.trim()) {
      try {
        const response = await fetch(field.dataset.searchUrl + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin", headers: { Accept: "application/json", "X-Requested-With": "fetch" } });
        if (response.ok) found = (await response.json()).sources || [];
      } catch (e) { /* offline: creating by name still works */ }
    }
    if (mine !== asked) return;
    options = optionsFor(query, found);
    active = options.length ? 0 : -1;
    render();
  }
  function pick(index) {
    const option = options[index];
    const editing = ws.state.editing;
    if (!option || !editing) return;
    const source = choiceOf(option, kind.value);
    ws.updateSpan(editing, { named_source: source }, option.create ? "creating a source" : "naming a source");
    showChosen({ name: source.name, kind: source.kind });
    input.value = "";
    close();
  }

  ws.showSource = (data) => {
    const shown = ws.linksSource(data.label) || !!data.named_source;
    field.hidden = !shown;
    input.value = "";
    close();
    showChosen(data.named_source);
  };
  input.addEventListener("input", () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => { timer = null; suggest(); }, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) { suggest(); return; }
      active = moveActive(active, options.length, event.key);
      render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0) pick(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  // mousedown, not click: the input keeps the focus (and the list stays) until the pick
  list.addEventListener("mousedown", (event) => {
    const item = event.target.closest("[data-index]");
    if (!item) return;
    event.preventDefault();
    pick(+item.dataset.index);
  });
  input.addEventListener("blur", () => timers.setTimeout(close, 150));
  clear.addEventListener("click", () => {
    const editing = ws.state.editing;
    if (!editing) return;
    ws.updateSpan(editing, { named_source: null }, "clearing a source");
    showChosen(null);
  });
}
