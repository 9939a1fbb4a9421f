"""Helpers for driving the workspace like a person: real mouse drags over the text."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

# Client rectangles of the first and last character of a code-point range of #text.
_RECTS_JS = """
([start, end]) => {
  const root = document.getElementById('text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const points = [];  // [node, utf16 offset] for every code point boundary we need
  let cp = 0, node;
  const want = new Map([[start, null], [start + 1, null], [end - 1, null], [end, null]]);
  while ((node = walker.nextNode())) {
    const text = node.data;
    for (let i = 0; i <= text.length; ) {
      if (want.has(cp) && want.get(cp) === null && i < text.length) want.set(cp, [node, i]);
      if (i === text.length) break;
      const code = text.charCodeAt(i);
      i += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
      cp++;
      if (want.has(cp) && want.get(cp) === null && i === text.length) want.set(cp, [node, i]);
    }
  }
  const rect = (a, b) => {
    const range = document.createRange();
    range.setStart(...want.get(a)); range.setEnd(...want.get(b));
    const r = range.getClientRects()[0] || range.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  return {first: rect(start, start + 1), last: rect(end - 1, end)};
}
"""


#: True once the workspace's modules have run (main.js sets it last): before that, #text is on the
#: page but a drag opens no toolbar, and on a busy machine that moment can be long.
WORKSPACE_READY = "() => window.annotatorWorkspace !== undefined"


def wait_workspace_ready(page) -> None:
    page.wait_for_selector("#text")
    page.wait_for_function(WORKSPACE_READY)


def drag_select(page, text: str, start: int, end: int) -> None:
    """Select code points [start, end) of the document with a real mouse drag."""
    wait_workspace_ready(page)
    page.locator("#text").scroll_into_view_if_needed()
    rects = page.evaluate(_RECTS_JS, [start, end])
    first, last = rects["first"], rects["last"]
    first_rtl = bool(RTL.match(text[start]))
    last_rtl = bool(RTL.match(text[end - 1]))
    # Start at the logical beginning of the first character, end at the logical end of the last.
    x0 = first["right"] - 1 if first_rtl else first["left"] + 1
    x1 = last["left"] + 1 if last_rtl else last["right"] - 1
    y0 = (first["top"] + first["bottom"]) / 2
    y1 = (last["top"] + last["bottom"]) / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()
    page.wait_for_selector("#toolbar:not([hidden])")


def wait_saved(page) -> None:
    page.wait_for_function(
        "() => window.annotatorWorkspace !== undefined"
        " && document.getElementById('save-state').classList.contains('saved')"
        " && window.annotatorWorkspace.queue().length === 0"
    )


#: The sentence the link tests mark: a claim attributed to a source.
SENTENCE = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks."
ATTRIBUTION = "Reuters quoted Zakharova as writing"
CLAIM = "Kyiv was sabotaging the talks"


def draw_attribution_and_claim(page, text: str, attribution: str, claim: str) -> dict[str, str]:
    """Drag over the two phrases of ``text`` and label them (toolbar button, then the claim's
    key); returns the span ids by label, from the side panel."""
    for phrase, choose in ((attribution, "toolbar"), (claim, "key")):
        start = text.index(phrase)
        drag_select(page, text, start, start + len(phrase))
        if choose == "toolbar":
            page.click("#toolbar button[data-label=attribution]")
        else:
            page.keyboard.press("1")  # claim
        wait_saved(page)
    return {
        item.get_attribute("data-label"): item.get_attribute("data-span")
        for item in page.locator("#span-list li[data-span]").all()
    }


def draw_attribution(page) -> str:
    """Drag over ``ATTRIBUTION`` in ``SENTENCE`` and label it; the new span's id."""
    start = SENTENCE.index(ATTRIBUTION)
    drag_select(page, SENTENCE, start, start + len(ATTRIBUTION))
    page.click("#toolbar button[data-label=attribution]")
    wait_saved(page)
    return page.locator("#span-list li[data-label=attribution]").get_attribute("data-span")


def open_popover(page, span_id: str) -> None:
    """Open the popover of span ``span_id`` from the side panel, its Source field shown."""
    page.locator(f'#span-list li[data-span="{span_id}"] button').click()
    page.wait_for_selector("#popover:not([hidden]) #source-field:not([hidden])")


def offer_source(page, typed: str, option: str):
    """Type ``typed`` key by key into the popover's Source combobox; the offered option whose
    text holds ``option``, once it is shown (the suggestions are debounced and fetched)."""
    page.locator("#source-input").press_sequentially(typed)
    found = page.locator(f'#source-options [role=option]:has-text("{option}")')
    found.wait_for()
    return found


def source_shown(page, span_id: str, text: str) -> None:
    page.wait_for_selector(f'#span-list li[data-span="{span_id}"] .span-source:has-text("{text}")')


def mark(page, span_id: str):
    """The (first fragment of the) highlight of span ``span_id``."""
    return page.locator(f'#text mark[data-span="{span_id}"]').first


def links_shown(page) -> list[tuple[str, str, str]]:
    """The side panel's links as (source span, type, target span)."""
    return [
        (
            item.get_attribute("data-source"),
            item.get_attribute("data-type"),
            item.get_attribute("data-target"),
        )
        for item in page.locator("#relation-list li[data-relation]").all()
    ]


def span_count(page) -> int:
    return page.locator("#span-list li[data-span]").count()


def api_spans(page, server, slug: str, document_id: int) -> list[dict]:
    response = page.request.get(f"{server.url}/api/projects/{slug}/documents/{document_id}/spans")
    assert response.ok, response.text()
    return response.json()["spans"]


def make_project(
    server, tmp_path: Path, documents: list[dict], annotators=("ana",), overlap: int = 1
) -> str:
    """A fresh project managed by lead, with ``annotators``, holding ``documents``, each document
    going to ``overlap`` annotators."""
    slug = "p-" + uuid.uuid4().hex[:8]
    server.cli("create-project", slug, "--manager", "lead", "--overlap", str(overlap))
    for name in annotators:
        server.cli("add-member", slug, name, "--role", "annotator")
    path = tmp_path / f"{slug}.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in documents), "utf-8")
    server.cli("import", slug, str(path))
    return slug


def one_document_project(
    server, tmp_path: Path, text: str, annotators=("ana",), overlap: int = 1, prefix: str = "p"
) -> str:
    """A fresh project managed by lead, with ``annotators`` and one document (id ``one``) of
    ``text``, each document going to ``overlap`` annotators."""
    slug = f"{prefix}-" + uuid.uuid4().hex[:8]
    server.cli("create-project", slug, "--manager", "lead", "--overlap", str(overlap))
    for name in annotators:
        server.cli("add-member", slug, name, "--role", "annotator")
    path = tmp_path / f"{slug}.jsonl"
    path.write_text(json.dumps({"id": "one", "title": "One", "text": text}), "utf-8")
    server.cli("import", slug, str(path))
    return slug


def open_next_document(page, server, slug: str) -> int:
    """Press *Next document* on the project page; the id of the document it opens, once its
    workspace is ready."""
    page.goto(f"{server.url}/p/{slug}")
    page.click("#next-document")
    wait_workspace_ready(page)
    return int(re.search(r"/d/(\d+)", page.url).group(1))
