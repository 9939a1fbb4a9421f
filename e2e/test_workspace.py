"""The workspace as an annotator uses it: mouse drags, label keys, popover, undo, failed saves."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import login
from e2e.workspace_helpers import api_spans, drag_select, make_project, span_count, wait_saved

# English, Cyrillic, a flag and a ZWJ family emoji, a combining accent, Arabic (RTL) and CRLF.
WRITTEN = (
    "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks.\r\n"
    "Захарова написала: «саботирует переговоры» 🇺🇦👩\u200d👩\u200d👧 at the cafe\u0301.\r\n"
    "A broadcaster called it مفاوضات بلا نتيجة in its evening news."
)
TEXT = WRITTEN.replace("\r\n", "\n")


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def workspace(page, server, tmp_path):
    slug = make_project(
        server, tmp_path, [{"id": "mixed", "title": "Mixed scripts", "text": WRITTEN}]
    )
    login(page, server, "ana", "ana-password")
    page.goto(f"{server.url}/p/{slug}")
    page.click("#next-document")
    page.wait_for_selector("#text")
    page.wait_for_load_state()  # htmx and the workspace scripts are ready: clicks work
    document_id = int(re.search(r"/d/(\d+)", page.url).group(1))
    return page, slug, document_id


def label_of(page, phrase_start: int) -> str:
    return page.locator(f'#span-list li[data-start="{phrase_start}"]').first.get_attribute(
        "data-label"
    )


def test_stored_text_is_normalised_and_shown_exactly(workspace):
    page, _slug, _document_id = workspace
    assert page.evaluate("document.getElementById('text').textContent") == TEXT


def test_annotator_creates_edits_and_undoes_spans_with_mouse_and_keys(workspace, server):
    page, slug, document_id = workspace
    expected: dict[tuple[int, int], str] = {}

    # attribution by toolbar button, dragging across three words
    outer = at("Reuters quoted Zakharova as writing")
    drag_select(page, TEXT, *outer)
    page.click("#toolbar button[data-label=attribution]")
    wait_saved(page)
    expected[outer] = "attribution"

    # a nested span inside it, by shortcut key 2
    inner = at("Zakharova")
    drag_select(page, TEXT, *inner)
    page.keyboard.press("2")
    wait_saved(page)
    expected[inner] = "evidence"

    # Cyrillic claim by key 1; the drag starts mid-word and snapping widens it to whole words
    cyrillic = at("Захарова написала")
    drag_select(page, TEXT, cyrillic[0] + 2, cyrillic[1] - 2)
    page.keyboard.press("1")
    wait_saved(page)
    expected[cyrillic] = "claim"

    # the emoji (flag and ZWJ family) by button
    emoji = at("🇺🇦👩\u200d👩\u200d👧")
    drag_select(page, TEXT, *emoji)
    page.click("#toolbar button[data-label=evidence]")
    wait_saved(page)
    expected[emoji] = "evidence"

    # a word with a combining accent, and the RTL phrase, by keys
    accented = at("cafe\u0301")
    drag_select(page, TEXT, *accented)
    page.keyboard.press("3")
    wait_saved(page)
    expected[accented] = "attribution"
    rtl = at("مفاوضات بلا نتيجة")
    drag_select(page, TEXT, *rtl)
    page.keyboard.press("1")
    wait_saved(page)
    expected[rtl] = "claim"

    assert span_count(page) == 6
    assert {
        (s["start"], s["end"]): s["label"] for s in api_spans(page, server, slug, document_id)
    } == expected

    # relabel the Cyrillic claim through its popover
    page.click(f'#span-list li[data-start="{cyrillic[0]}"] button')
    page.click("#popover button[data-relabel=evidence]")
    wait_saved(page)
    expected[cyrillic] = "evidence"
    assert label_of(page, cyrillic[0]) == "evidence"

    # add a note to the RTL span by clicking its highlight
    page.locator("#text mark", has_text="بلا").last.click()
    page.fill("#note-input", "broadcaster's framing")
    page.click("#note-save")
    wait_saved(page)
    assert page.locator(f'#span-list li[data-start="{rtl[0]}"]').get_attribute("data-note") == (
        "broadcaster's framing"
    )

    # delete the emoji span, then undo the deletion with Ctrl+Z
    page.click(f'#span-list li[data-start="{emoji[0]}"] button')
    page.click("#span-delete")
    wait_saved(page)
    assert span_count(page) == 5
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert span_count(page) == 6

    # undo the relabel too: back to claim
    page.keyboard.press("Control+z")  # undoes the note
    wait_saved(page)
    page.keyboard.press("Control+z")  # undoes the relabel
    wait_saved(page)
    expected[cyrillic] = "claim"

    # reload: everything is still there, same offsets as in the database
    page.reload()
    page.wait_for_selector("#text")
    stored = api_spans(page, server, slug, document_id)
    assert {(s["start"], s["end"]): s["label"] for s in stored} == expected
    for span in stored:
        assert span["text"] == TEXT[span["start"] : span["end"]]
    shown = {
        (int(item.get_attribute("data-start")), int(item.get_attribute("data-end")))
        for item in page.locator("#span-list li[data-span]").all()
    }
    assert shown == set(expected)
    rtl_note = [s for s in stored if (s["start"], s["end"]) == rtl][0]["note"]
    assert rtl_note == ""  # the note was undone as well


def test_a_save_refused_by_the_server_is_retried_and_lands_once(workspace, server):
    page, slug, document_id = workspace
    attempts = []

    def flaky(route):
        attempts.append(route.request.method)
        if len(attempts) <= 3:
            route.fulfill(status=503, body="down for maintenance")
        else:
            route.continue_()

    page.route("**/api/projects/*/documents/*/spans/*", flaky)
    target = at("Kyiv")
    drag_select(page, TEXT, *target)
    page.keyboard.press("1")
    page.wait_for_function(
        "() => document.getElementById('save-state').classList.contains('failed')"
    )
    wait_saved(page)
    assert len(attempts) == 4
    page.unroute("**/api/projects/*/documents/*/spans/*")
    stored = api_spans(page, server, slug, document_id)
    assert [(s["start"], s["end"], s["label"]) for s in stored] == [(*target, "claim")]


def test_a_save_made_offline_survives_a_reload_and_lands_once(workspace, server):
    page, slug, document_id = workspace
    page.route("**/api/projects/*/documents/*/spans/*", lambda route: route.abort())
    target = at("Reuters")
    drag_select(page, TEXT, *target)
    page.keyboard.press("3")
    page.wait_for_function("() => window.annotatorWorkspace.queue().length === 1")
    page.unroute("**/api/projects/*/documents/*/spans/*")
    page.evaluate("window.onbeforeunload = null")
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_selector("#text")
    wait_saved(page)
    stored = api_spans(page, server, slug, document_id)
    assert [(s["start"], s["end"], s["label"]) for s in stored] == [(*target, "attribution")]


def test_ctrl_shift_z_and_ctrl_y_redo_what_ctrl_z_undid(workspace, server):
    page, slug, document_id = workspace

    def stored():
        wait_saved(page)
        return {
            (s["start"], s["end"]): s["label"] for s in api_spans(page, server, slug, document_id)
        }

    claim = at("Kyiv was sabotaging the talks")
    drag_select(page, TEXT, *claim)
    page.keyboard.press("1")
    wait_saved(page)
    page.click(f'#span-list li[data-start="{claim[0]}"] button')
    page.click("#popover button[data-relabel=evidence]")
    page.keyboard.press("Escape")
    assert stored() == {claim: "evidence"}

    page.keyboard.press("Control+z")  # undo the relabel
    assert stored() == {claim: "claim"}
    page.keyboard.press("Control+z")  # undo the span
    assert stored() == {}
    page.keyboard.press("Control+Shift+z")  # redo the span
    assert stored() == {claim: "claim"}
    page.keyboard.press("Control+y")  # redo the relabel
    assert stored() == {claim: "evidence"}
    assert label_of(page, claim[0]) == "evidence"
    page.keyboard.press("Control+y")  # nothing left to redo: nothing changes
    assert stored() == {claim: "evidence"}


TAGS_JS = """() => [...document.querySelectorAll('#text mark.span')].map(mark => [
    mark.textContent, getComputedStyle(mark, '::before').content])"""


def test_each_highlight_shows_its_label_tag_and_the_toggle_hides_them_across_a_reload(workspace):
    page, _slug, _document_id = workspace
    outer = at("Kyiv was sabotaging the talks")
    inner = at("sabotaging")
    for phrase in (outer, inner):  # two nested spans of one label
        drag_select(page, TEXT, *phrase)
        page.keyboard.press("1")
        wait_saved(page)
    page.wait_for_function("() => document.querySelectorAll('#text mark.span').length === 2")
    assert page.evaluate(TAGS_JS) == [
        ["Kyiv was sabotaging the talks", '"claim"'],
        ["sabotaging", '"claim"'],
    ]
    # the tags are generated content: the text and its offsets are unchanged
    assert page.evaluate("document.getElementById('text').textContent") == TEXT
    # the inner span sits deeper (its own underline below the outer one's)
    classes = page.eval_on_selector_all("#text mark.span", "marks => marks.map(m => m.className)")
    assert "d1" in classes[0] and "d2" in classes[1]

    page.uncheck("#show-tags")
    assert [content for _text, content in page.evaluate(TAGS_JS)] == ["none", "none"]
    page.reload()
    page.wait_for_selector("#text mark.span")
    assert not page.is_checked("#show-tags")
    assert [content for _text, content in page.evaluate(TAGS_JS)] == ["none", "none"]
    page.check("#show-tags")
    assert [content for _text, content in page.evaluate(TAGS_JS)] == ['"claim"', '"claim"']
