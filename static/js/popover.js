/* The popover of an existing span: relabel, attributes, note, link, delete. Changes go through
 * ws.updateSpan / ws.deleteSpan / ws.startLinking, which queue them. */
import { spanData } from "./page.js";
import { place } from "./selection.js";

export function setupPopover(ws) {
  const { popover } = ws;
  const noteInput = document.getElementById("note-input");

  /** The popover's attribute fields: those of the span's label, set to its values. */
  function showAttributes(data) {
    for (const group of popover.querySelectorAll(".attribute-group")) {
      group.hidden = group.dataset.label !== data.label;
      if (group.hidden) continue;
      for (const select of group.querySelectorAll("select[data-attribute]")) {
        select.value = data.attributes[select.dataset.attribute] || "";
      }
    }
  }
  function chosenAttributes() {
    const values = {};
    for (const select of popover.querySelectorAll(".attribute-group:not([hidden]) select[data-attribute]")) {
      if (select.value) values[select.dataset.attribute] = select.value;
    }
    return values;
  }

  ws.openPopover = (id, rect) => {
    const data = spanData(id);
    if (!data || ws.readOnly) return;
    ws.state.editing = id;
    noteInput.value = data.note;
    for (const button of popover.querySelectorAll("[data-relabel]")) {
      button.classList.toggle("current", button.dataset.relabel === data.label);
    }
    showAttributes(data);
    place(popover, rect);
  };
  ws.closePopover = () => { ws.state.editing = null; popover.hidden = true; };
  /** Attribute names a label defines (from the popover's fields for it). */
  ws.attributeNames = (label) => {
    const group = popover.querySelector('.attribute-group[data-label="' + CSS.escape(label) + '"]');
    return group ? Array.from(group.querySelectorAll("select[data-attribute]"), (s) => s.dataset.attribute) : [];
  };

  popover.addEventListener("change", (event) => {
    if (event.target.matches("select[data-attribute]") && ws.state.editing) {
      ws.updateSpan(ws.state.editing, { attributes: chosenAttributes() }); // saved at once; the popover stays
    }
  });
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
