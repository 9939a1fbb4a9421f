"""A long document with many spans, as an annotator opens it: the page stays small in DOM nodes
(the side list is three nodes per span: issue 19), the text is exactly the stored text, every
list item shows its label, and an item far down the list (not laid out until it scrolls near)
still shows its span when clicked. (Imported with ana's spans, the document counts as done, so
the page is read-only: a click scrolls to the span and flashes it rather than opening the
popover.)"""

from __future__ import annotations

import json
import random
import re
import uuid

import pytest
from playwright.sync_api import expect

from e2e.conftest import login

SPANS = 300
WORDS = "the ministry said Захарова заявила 👩‍👩‍👧 report مفاوضات source".split()

#: DOM nodes by region (elements, text nodes, comments), as bench/workspace_bench.py counts them.
COUNT_NODES = """() => {
  const count = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
    let n = 1;
    while (walker.nextNode()) n++;
    return n;
  };
  return {all: count(document.documentElement), text: count(document.getElementById('text')),
          list: count(document.getElementById('span-list'))};
}"""


def open_long(page, server, slug: str) -> None:
    """Open the document from the project page (imported with ana's spans, it counts as done)."""
    login(page, server, "ana", "ana-password")
    page.goto(f"{server.url}/p/{slug}")
    page.get_by_role("link", name="long", exact=True).click()
    page.wait_for_selector("#text")


@pytest.fixture
def long_document(server, tmp_path):
    """A project whose one document (about 12,000 characters) has ``SPANS`` spans by ana, many
    of them nested in or crossing others; (slug, text, spans)."""
    rng = random.Random(19)
    words = [rng.choice(WORDS) + ("\n" if rng.random() < 0.05 else "") for _ in range(1_500)]
    text = " ".join(words)  # about 12,000 characters: several blocks of the text
    spans, drawn = [], set()
    while len(spans) < SPANS:
        start = rng.randrange(0, len(text) - 100)
        end, label = start + rng.randrange(1, 100), rng.choice(["claim", "evidence"])
        if (label, start, end) not in drawn:
            drawn.add((label, start, end))
            spans.append({"annotator": "ana", "label": label, "start": start, "end": end})
    slug = "long-" + uuid.uuid4().hex[:8]
    server.cli("create-project", slug, "--manager", "lead")
    server.cli("add-member", slug, "ana", "--role", "annotator")
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"id": "long", "text": text, "annotations": spans}, ensure_ascii=False),
        "utf-8",
    )
    server.cli("import", slug, str(path))
    return slug, text, spans


def test_a_document_with_many_spans_stays_small_in_dom_nodes(page, server, long_document):
    slug, text, spans = long_document
    open_long(page, server, slug)
    expect(page.locator("#span-list li[data-span]")).to_have_count(SPANS)
    assert page.locator("#text > .block").count() >= 5
    assert page.locator("#text").text_content() == text
    nodes = page.evaluate(COUNT_NODES)
    assert nodes["list"] <= 3 * SPANS + 1
    # The text: each span is a few mark fragments (nesting and crossings split them), each with
    # its text node; the rest of the page is a fixed few hundred nodes.
    assert nodes["text"] <= 8 * SPANS
    assert nodes["all"] <= 12 * SPANS


def test_every_list_item_shows_its_label_and_one_far_down_shows_its_span(
    page, server, long_document
):
    slug, _text, spans = long_document
    open_long(page, server, slug)
    labels = page.locator("#span-list li[data-span] button").evaluate_all(
        "buttons => buttons.map(b => getComputedStyle(b, '::before').content)"
    )
    shown = page.locator("#span-list li[data-span]").evaluate_all(
        "items => items.map(i => JSON.stringify(i.dataset.label))"
    )
    assert labels == shown and set(labels) == {'"claim"', '"evidence"'}
    last = page.locator("#span-list li[data-span]").last
    span_id = last.get_attribute("data-span")
    last.locator("button").click()
    first_fragment = page.locator(f'#text mark[data-span="{span_id}"]').first
    expect(first_fragment).to_have_class(re.compile(r"\bflash\b"))
    expect(first_fragment).to_be_in_viewport()


def test_a_long_document_fits_a_narrow_screen_block_by_block(new_page, server, long_document):
    slug, text, _spans = long_document
    page = new_page(viewport={"width": 390, "height": 844})
    open_long(page, server, slug)
    page.locator("#text > .block").nth(3).scroll_into_view_if_needed()
    widths = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth,
                   screen: document.documentElement.clientWidth,
                   blocks: Math.max(...Array.from(document.querySelectorAll('#text > .block'),
                                                  (b) => b.getBoundingClientRect().width))})"""
    )
    assert widths["page"] <= widths["screen"] and widths["blocks"] < widths["screen"]
    assert page.locator("#text").text_content() == text
