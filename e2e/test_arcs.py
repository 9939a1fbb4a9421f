"""Links drawn as arcs over the text, used as an annotator uses them: real mouse drags for two
spans, the L key and a click for the link, then the arc with its type; hovering lights it;
clicking it relabels or deletes the link (undoable); the toggle hides the arcs and is remembered;
reload draws the same arcs; entering link mode does not move the text. Also the arcs in the
read-only view of another annotator's document and in the gold workspace (no editing there), and
the gold links over the gold text of the comparison page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import login
from e2e.workspace_helpers import drag_select, links_shown, make_project, mark, wait_saved

TEXT = (
    "The ministry said exports fell by a third in March. "
    "Customs data published on Friday show shipments down 34 percent."
)
AFTER_TWO_FRAMES = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame("
    "() => setTimeout(done, 0))))"
)
CLAIM = "exports fell by a third in March"
EVIDENCE = "Customs data published on Friday show shipments down 34 percent"


def draw(page, phrase: str, key: str) -> str:
    """Drag over ``phrase`` and label it with ``key``; the new span's id."""
    before = set(
        page.locator("#span-list li[data-span]").evaluate_all("l => l.map(i => i.dataset.span)")
    )
    start = TEXT.index(phrase)
    drag_select(page, TEXT, start, start + len(phrase))
    page.keyboard.press(key)
    wait_saved(page)
    after = set(
        page.locator("#span-list li[data-span]").evaluate_all("l => l.map(i => i.dataset.span)")
    )
    (made,) = after - before
    return made


def arcs(page) -> list[tuple[str, str, str, str]]:
    """The arcs drawn: (source span, type, target span, label text)."""
    return [
        (
            g.get_attribute("data-source"),
            g.get_attribute("data-type"),
            g.get_attribute("data-target"),
            g.locator("text.arc-label").first.text_content(),
        )
        for g in page.locator("#arcs g.arc").all()
    ]


def click_arc(page) -> None:
    """Click the (first) arc's label with the real mouse."""
    box = page.locator("#arcs g.arc .arc-label-box").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#arc-menu")).to_be_visible()


def link(page, source: str, target: str, type_name: str) -> None:
    """Select ``source``, press L, click ``target``, pick ``type_name``; the text must not move."""
    mark(page, source).click()
    expect(page.locator("#popover")).to_be_visible()
    before = page.locator("#text").bounding_box()
    page.keyboard.press("l")
    expect(page.locator("#link-hint")).to_be_visible()
    assert page.locator("#text").bounding_box() == before  # link mode does not move the text
    mark(page, target).click()
    expect(page.locator("#link-menu")).to_be_visible()
    assert page.locator("#text").bounding_box() == before
    page.click(f"#link-menu button >> text={type_name}")
    wait_saved(page)


@pytest.fixture
def annotated(page, server, tmp_path):
    """ana's workspace with a claim and an evidence span drawn by real drags; (page, slug,
    claim id, evidence id)."""
    slug = make_project(server, tmp_path, [{"id": "exports", "title": "Exports", "text": TEXT}])
    login(page, server, "ana", "ana-password")
    page.goto(f"{server.url}/p/{slug}")
    page.click("#next-document")
    page.wait_for_selector("#text")
    page.wait_for_load_state()
    claim = draw(page, CLAIM, "1")
    evidence = draw(page, EVIDENCE, "2")
    return page, slug, claim, evidence


def test_a_link_is_an_arc_with_its_type_that_can_be_relabelled_deleted_hidden_and_reloaded(
    annotated,
):
    page, _slug, claim, evidence = annotated
    expect(page.locator("#arcs g.arc")).to_have_count(0)
    link(page, evidence, claim, "supports")

    expect(page.locator("#arcs g.arc")).to_have_count(1)
    assert arcs(page) == [(evidence, "supports", claim, "supports")]
    # the arc runs above the text, from one span to the other
    arc_box = page.locator("#arcs g.arc .arc-line").first.bounding_box()
    ends = [mark(page, span).bounding_box() for span in (evidence, claim)]
    assert arc_box["y"] < min(end["y"] for end in ends)

    # hovering a span lights its arc; hovering the arc lights both spans
    mark(page, claim).hover()
    expect(page.locator("#arcs g.arc.lit")).to_have_count(1)
    page.mouse.move(5, 5)
    expect(page.locator("#arcs g.arc.lit")).to_have_count(0)
    label = page.locator("#arcs g.arc .arc-label-box").first.bounding_box()
    page.mouse.move(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)
    for end in (evidence, claim):
        assert "arc-end" in mark(page, end).get_attribute("class")

    # clicking the arc selects the link: relabel it
    click_arc(page)
    expect(page.locator("#arc-menu .arc-type[aria-pressed=true]")).to_have_text("supports")
    page.click("#arc-menu .arc-type >> text=refutes")
    wait_saved(page)
    assert links_shown(page) == [(evidence, "refutes", claim)]
    assert arcs(page) == [(evidence, "refutes", claim, "refutes")]

    # the relabel is one undo step, and redo makes it again
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert arcs(page) == [(evidence, "supports", claim, "supports")]
    page.keyboard.press("Control+Shift+z")
    wait_saved(page)
    assert arcs(page) == [(evidence, "refutes", claim, "refutes")]

    # delete it from the arc; undo brings it back
    click_arc(page)
    page.click("#arc-menu .arc-delete")
    wait_saved(page)
    assert links_shown(page) == [] and arcs(page) == []
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert arcs(page) == [(evidence, "refutes", claim, "refutes")]

    # the toggle hides the arcs, and the choice survives a reload
    toggle = page.locator("#show-arcs")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    text_box = page.locator("#text").bounding_box()
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#arcs")).to_be_hidden()
    assert page.locator("#text").bounding_box() == text_box  # hiding arcs does not reflow the text
    page.reload()
    page.wait_for_selector("#text")
    expect(page.locator("#show-arcs")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#arcs g.arc")).to_have_count(0)
    page.click("#show-arcs")
    expect(page.locator("#arcs g.arc")).to_have_count(1)

    # reload: the same arc, drawn once (nothing on the page makes the layer draw it again)
    page.reload()
    page.wait_for_selector("#text")
    expect(page.locator("#arcs g.arc")).to_have_count(1)
    assert arcs(page) == [(evidence, "refutes", claim, "refutes")]
    page.wait_for_load_state("load")
    for _ in range(3):  # a redrawing asked for now runs in the frame after next, then a task
        page.evaluate(AFTER_TWO_FRAMES)
    drawings = page.evaluate(
        "performance.getEntriesByName('annotator:arcs-drawn').map((e) => e.detail.arcs)"
    )
    assert drawings[0] == 1 and sum(drawings) == 1, drawings


def test_a_link_made_while_the_server_is_unreachable_is_drawn_at_once_dashed(annotated):
    page, slug, claim, evidence = annotated
    page.route("**/relations/**", lambda route: route.abort())
    mark(page, evidence).click()
    page.keyboard.press("l")
    mark(page, claim).click()
    page.click("#link-menu button >> text=supports")
    expect(page.locator("#arcs g.arc.pending")).to_have_count(1)
    assert arcs(page) == [(evidence, "supports", claim, "supports")]
    page.unroute("**/relations/**")
    wait_saved(page)
    expect(page.locator("#arcs g.arc:not(.pending)")).to_have_count(1)


def test_arcs_in_the_read_only_view_and_the_gold_workspace_select_without_editing(
    annotated, server, new_page
):
    page, slug, claim, evidence = annotated
    link(page, evidence, claim, "supports")
    document_id = page.url.rstrip("/").split("/d/")[1].split("?")[0]

    lead = new_page()
    login(lead, server, "lead", "lead-password")
    lead.goto(f"{server.url}/p/{slug}/d/{document_id}?annotator=ana")
    lead.wait_for_selector("#text")
    expect(lead.locator("#arcs g.arc")).to_have_count(1)
    assert arcs(lead) == [(evidence, "supports", claim, "supports")]
    click_arc(lead)
    expect(lead.locator("#arc-menu")).to_contain_text("supports")
    expect(lead.locator("#arc-menu .arc-type")).to_have_count(0)
    expect(lead.locator("#arc-menu .arc-delete")).to_have_count(0)
    lead.keyboard.press("Escape")
    expect(lead.locator("#arc-menu")).to_be_hidden()

    # the gold workspace draws the gold layer's links the same way
    lead.goto(f"{server.url}/p/{slug}")
    lead.click("#documents a[href*='/compare/']")
    lead.click("text=edit gold with the selection tools")
    expect(lead.locator(".doc-head")).to_contain_text("editing the gold layer")
    gold_claim = draw(lead, CLAIM, "1")
    gold_evidence = draw(lead, EVIDENCE, "2")
    link(lead, gold_evidence, gold_claim, "refutes")
    assert arcs(lead) == [(gold_evidence, "refutes", gold_claim, "refutes")]

    # the comparison page draws the gold links as arcs over the gold text too, read-only
    lead.goto(f"{server.url}/p/{slug}/compare/{document_id}")
    gold = lead.locator(".gold-arcs g.arc")
    expect(gold).to_have_count(1)
    assert (gold.get_attribute("data-source"), gold.get_attribute("data-type")) == (
        gold_evidence,
        "refutes",
    )
    assert gold.get_attribute("data-target") == gold_claim
    expect(gold.locator("text.arc-label")).to_have_text("refutes")
    # above the gold text, from one gold span to the other, and lit on hover with its spans
    line = gold.locator(".arc-line").bounding_box()
    text = lead.locator("#gold-text").bounding_box()
    assert text["y"] <= line["y"] and line["y"] + line["height"] <= text["y"] + text["height"]
    gold.locator(".arc-label-box").hover()
    expect(lead.locator(".gold-arcs g.arc.lit")).to_have_count(1)
    expect(lead.locator("#gold-text mark.arc-end")).to_have_count(2)
    # marking the document adjudicated swaps the page's content in anew (htmx): the arc with it
    lead.click("#mark-adjudicated")
    expect(lead.locator("#reopen-adjudication")).to_be_visible()
    expect(lead.locator(".gold-arcs g.arc")).to_have_count(1)
    lead.evaluate("htmx.trigger(document.body, 'htmx:afterSettle')")  # a swap elsewhere
    expect(lead.locator(".gold-arcs g.arc")).to_have_count(1)


def test_a_line_with_many_stacked_arcs_gets_room_so_no_arc_runs_into_the_line_above(
    page, server, tmp_path
):
    first = "Ministers met again on Tuesday to talk about the grain corridor."
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()
    text = first + "\n" + " ".join(words)
    at = {word: text.index(word, len(first)) for word in words}
    spans = [
        {"id": word, "annotator": "ana", "label": "evidence" if i < 5 else "claim"}
        | {"start": at[word], "end": at[word] + len(word)}
        for i, word in enumerate(words)
    ]
    # five nested links over the second line: five stacked levels of arcs
    relations = [
        {"annotator": "ana", "type": "supports", "source": words[4 - i], "target": words[5 + i]}
        for i in range(5)
    ]
    document = {"id": "crowded", "title": "Crowded", "text": text, "annotations": spans}
    slug = make_project(server, tmp_path, [document | {"relations": relations}])
    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}")
    page.click("#documents a[href*='/d/']")
    page.goto(page.url.split("?")[0] + "?annotator=ana")
    expect(page.locator("#arcs g.arc")).to_have_count(5)
    page.wait_for_timeout(200)  # the arcs settle in the frame after the room is given
    first_line_bottom = page.evaluate(
        """() => {
          const node = document.getElementById('text').firstChild;
          const range = document.createRange();
          range.setStart(node, 0); range.setEnd(node, 10);
          return range.getBoundingClientRect().bottom;
        }"""
    )
    labels = [box.bounding_box() for box in page.locator("#arcs .arc-label-box").all()]
    assert min(label["y"] for label in labels) >= first_line_bottom
    lines = page.locator("#arcs .arc-line").all()
    assert min(line.bounding_box()["y"] for line in lines) >= first_line_bottom
