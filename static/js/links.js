/* Linking: select a span (click it), press L or click "Link", click the target span, then pick the
 * type (click, digit key, or arrows and Enter). Only types whose label rules fit are offered, in
 * either direction. Hovering a span lights up its links and the spans at their other ends. */
import { fits, linkItems, linksOf, marksOf, preview, spanData } from "./page.js";
import { place } from "./selection.js";

/** Link types that fit the two spans, in either direction, minus links that already exist. */
export function linkOptions(relationTypes, a, b) {
  const existing = new Set(linksOf(a.id).map((link) => link.type + " " + link.source + " " + link.target));
  const options = [];
  for (const [source, target] of [[a, b], [b, a]]) {
    for (const type of relationTypes) {
      if (fits(type, source.label, target.label) && !existing.has(type.name + " " + source.id + " " + target.id)) {
        options.push({ type, source, target });
      }
    }
  }
  return options;
}

export function setupLinks(ws) {
  const { root, linkMenu, linkHint, relationTypes } = ws;
  let menuItems = [];

  function showHint(message) {
    linkHint.textContent = message;
    linkHint.hidden = !message;
  }
  ws.startLinking = (source) => {
    const data = spanData(source);
    if (!data || ws.readOnly || !relationTypes.length) return;
    ws.closePopover();
    ws.clearSelection();
    ws.state.linking = { source };
    root.classList.add("linking");
    for (const mark of marksOf(source)) mark.classList.add("link-source");
    showHint("Linking from «" + preview(data, 40) + "» (" + data.label + "): click the span to link it to. Esc cancels.");
  };
  ws.stopLinking = () => {
    ws.state.linking = null;
    root.classList.remove("linking");
    for (const mark of document.querySelectorAll("#text mark.link-source")) mark.classList.remove("link-source");
    linkMenu.hidden = true;
    linkMenu.replaceChildren();
    showHint("");
  };
  ws.pickTarget = (targetId, rect) => {
    const source = spanData(ws.state.linking.source), target = spanData(targetId);
    if (!source || !target) { ws.stopLinking(); return; }
    if (source.id === target.id) { showHint("A span cannot be linked to itself: click another span. Esc cancels."); return; }
    const options = linkOptions(relationTypes, source, target);
    if (!options.length) {
      showHint("No link type joins a " + source.label + " span and a " + target.label
        + " span (or they are linked already): click another span. Esc cancels.");
      return;
    }
    openMenu(options.map((option) => ({
      title: option.type.name,
      detail: option.source.label + " «" + preview(option.source, 24) + "» → " + option.target.label + " «" + preview(option.target, 24) + "»",
      pick: () => chooseValue(option, rect),
    })), rect, "Link type");
  };
  function chooseValue(option, rect) {
    const link = { type: option.type.name, source: option.source.id, target: option.target.id, value: null };
    if (!option.type.choices.length) { ws.createLink(link); ws.stopLinking(); return; }
    openMenu([{ title: "no value", detail: "", pick: () => { ws.createLink(link); ws.stopLinking(); } }].concat(
      option.type.choices.map((choice) => ({ title: choice, detail: "",
        pick: () => { ws.createLink(Object.assign({}, link, { value: choice })); ws.stopLinking(); } }))), rect, "Value of the link");
  }
  function openMenu(items, rect, label) {
    menuItems = items;
    linkMenu.replaceChildren();
    linkMenu.setAttribute("aria-label", label);
    items.forEach((item, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-option";
      button.setAttribute("role", "menuitem");
      button.dataset.index = String(index);
      if (index < 9) {
        const key = document.createElement("kbd");
        key.textContent = String(index + 1);
        button.append(key, " ");
      }
      const title = document.createElement("strong");
      title.textContent = item.title;
      button.append(title);
      if (item.detail) {
        const detail = document.createElement("small");
        detail.textContent = " " + item.detail;
        button.append(detail);
      }
      linkMenu.append(button);
    });
    place(linkMenu, rect);
    linkMenu.querySelector("button").focus();
  }
  linkMenu.addEventListener("mousedown", (event) => event.preventDefault());
  linkMenu.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index]");
    if (button) menuItems[+button.dataset.index].pick();
  });
  /** Digits, arrows and Enter in the open menu; true when the key was the menu's. */
  ws.menuKey = (event) => {
    if (linkMenu.hidden) return false;
    const buttons = Array.from(linkMenu.querySelectorAll("button[data-index]"));
    const at = buttons.indexOf(document.activeElement);
    if (/^[1-9]$/.test(event.key) && +event.key <= buttons.length) menuItems[+event.key - 1].pick();
    else if (event.key === "ArrowDown") buttons[(at + 1) % buttons.length].focus();
    else if (event.key === "ArrowUp") buttons[(at - 1 + buttons.length) % buttons.length].focus();
    else if (event.key === "Enter" && at >= 0) menuItems[at].pick();
    else return false;
    event.preventDefault();
    return true;
  };

  // ---- hover: a span's links, and the spans at their other ends ------------------------------
  function lightUp(key, on) {
    if (!key) return;
    const links = key.startsWith("link:")
      ? linkItems().filter((item) => item.dataset.relation === key.slice(5))
      : linkItems().filter((item) => item.dataset.source === key || item.dataset.target === key);
    if (!links.length) return;
    if (!key.startsWith("link:")) for (const mark of marksOf(key)) mark.classList.toggle("link-focus", on);
    for (const item of links) {
      item.classList.toggle("link-hover", on);
      for (const end of [item.dataset.source, item.dataset.target]) {
        if (end !== key) for (const mark of marksOf(end)) mark.classList.toggle("linked", on);
      }
    }
  }
  root.addEventListener("mouseover", (event) => {
    const mark = event.target.closest("#text mark[data-span]");
    const item = event.target.closest("#relation-list li[data-relation]");
    const key = mark ? mark.dataset.span : item ? "link:" + item.dataset.relation : null;
    if (key === ws.state.hovered) return;
    lightUp(ws.state.hovered, false);
    ws.state.hovered = key;
    lightUp(ws.state.hovered, true);
  });
}
