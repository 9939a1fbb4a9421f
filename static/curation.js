// The curation view: a span clicked (or focused and Enter pressed) in an annotator's lane is
// accepted into gold. The server answers the #curation fragment, which htmx swaps in.
const root = document.getElementById("curation");

function prepare() {
  for (const mark of root.querySelectorAll('td.lane:not(.gold-lane) mark[data-span]')) {
    mark.tabIndex = 0;
    mark.setAttribute("role", "button");
    // The name stays the span's own text (what a sighted user sees); what the button does is
    // its description.
    mark.setAttribute("aria-description", `${mark.title}: press Enter to accept into gold`);
  }
}

function accept(mark) {
  window.htmx.ajax("POST", root.dataset.acceptUrl, {
    source: root,
    target: "#curation",
    values: { span_id: mark.dataset.span },
  });
}

function markOf(event) {
  const mark = event.target.closest("mark[data-span]");
  return mark && mark.closest("td.lane:not(.gold-lane)") ? mark : null;
}

if (root) {
  root.addEventListener("click", (event) => {
    const mark = markOf(event);
    if (mark) {
      event.preventDefault();
      accept(mark);
    }
  });
  root.addEventListener("keydown", (event) => {
    const mark = markOf(event);
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      accept(mark);
    }
  });
  document.body.addEventListener("htmx:afterSwap", prepare);
  prepare();
}
