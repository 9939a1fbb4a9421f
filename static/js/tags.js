/* The label-tags toggle: shows or hides the label printed at the start of each highlight (CSS
 * generated content, see app.css). The choice is kept per browser, so it survives a reload. */

const KEY = "annotator.labelTags";

export function setupTags(root, storage = window.localStorage) {
  const box = document.getElementById("show-tags");
  if (!box) return;
  const apply = (shown) => {
    root.classList.toggle("tags-off", !shown);
    box.checked = shown;
  };
  apply(storage.getItem(KEY) !== "off");
  box.addEventListener("change", () => {
    storage.setItem(KEY, box.checked ? "on" : "off");
    apply(box.checked);
  });
}
