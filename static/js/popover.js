/* The popover of an existing span: relabel, attributes, source, note, link, delete. Changes go through
 * ws.updateSpan / ws.deleteSpan / ws.startLinking, which queue them. */
import { setupAttributes } from "./attributes.js";
import { spanData } from "./page.js";
import { place } from "./selection.js";
import { setupSources } from "./sources.js";

export function setupPopover(ws) {
  const { popover } = ws;
  const noteInput = document.getElementById("note-input");

  setupAttributes(ws);
  setupSources(ws);

  ws.openPopover = (id, rect) => {
    const data = spanData(id);
    if (!data || ws.readOnly) return;
    ws.state.editing = id;
    noteInput.value = data.note;
    for (const button of popover.querySelectorAll("[data-relabel]")) {
      button.classList.toggle("current", button.dataset.relabel === data.label);
    }
    ws.showAttributes(data);
    ws.showSource(data);
    place(popover, rect);
  };
  ws.closePopover = () => { ws.state.editing = null; popover.hidden = true; };
  popover.addEventListener("click", (event) => {
    const editing = ws.state.editing;
    const relabel = event.target.closest("[data-relabel]");
    if (relabel && editing) { ws.updateSpan(editing, { label: relabel.dataset.relabel }); ws.closePopover(); }
    if (event.target.id === "note-save" && editing) {
      ws.updateSpan(editing, { note: noteInput.value }); ws.closePopover();
    }
    if (event.target.id === "span-delete" && editing) { if (ws.deleteSpan(editing)) ws.closePopover(); }
    if (event.target.closest("#span-link") && editing) ws.startLinking(editing);
    if (event.target.id === "popover-close") ws.closePopover();
  });
  noteInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && ws.state.editing) {
      event.preventDefault();
      ws.updateSpan(ws.state.editing, { note: event.target.value });
      ws.closePopover();
    }
  });
}
