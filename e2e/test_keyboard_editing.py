"""Editing spans without redrawing them: boundary handles and keys, undo and redo across a reload,
keyboard-only annotation, and spans made offline treated like saved ones (issue 15)."""

from __future__ import annotations

import pytest

from e2e.conftest import login
from e2e.workspace_helpers import (
    _RECTS_JS,
    api_spans,
    drag_select,
    one_document_project,
    open_next_document,
    span_count,
    wait_saved,
)

TEXT = "Officials said that Kyiv was sabotaging the talks again. Moscow denied it on Friday."
SPANS_API = "**/api/projects/*/documents/*/spans/*"


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def workspace(page, server, tmp_path):
    slug = one_document_project(server, tmp_path, TEXT, prefix="keys")
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, slug)
    page.wait_for_load_state()
    return page, slug, document_id


def stored(page, server, slug, document_id) -> list[tuple[str, int, int, str]]:
    wait_saved(page)
    return sorted(
        (s["id"], s["start"], s["end"], s["label"])
        for s in api_spans(page, server, slug, document_id)
    )


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def drag_handle(page, edge: str, to_phrase_end: str) -> None:
    """Drag the selected span's ``edge`` handle with the mouse onto the last character of
    ``to_phrase_end``."""
    handle = page.locator(f".boundary-handle.handle-{edge}")
    box = handle.bounding_box()
    start, end = at(to_phrase_end)
    last = page.evaluate(_RECTS_JS, [start, end])["last"]
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(last["right"] - 2, (last["top"] + last["bottom"]) / 2, steps=12)
    # the drag selects no text (its pointerdown is cancelled; the text stays selectable)
    assert page.evaluate("getSelection().toString()") == ""
    page.mouse.up()


def test_a_boundary_moves_with_a_handle_and_with_shift_arrows_and_undo_redo_take_each_back(
    workspace, server
):
    page, slug, document_id = workspace
    drag_select(page, TEXT, *at("Kyiv was"))
    page.keyboard.press("1")
    [(span_id, *_)] = stored(page, server, slug, document_id)

    page.click(f'#span-list li[data-span="{span_id}"] button')
    page.wait_for_selector(".boundary-handle.handle-end:not([hidden])")
    drag_handle(page, "end", "sabotaging")
    after_drag = (span_id, *at("Kyiv was sabotaging"), "claim")
    assert stored(page, server, slug, document_id) == [after_drag]  # the same span, moved

    assert focused(page) == "text"
    page.keyboard.press("Shift+ArrowRight")  # the end by a word
    assert stored(page, server, slug, document_id) == [
        (span_id, *at("Kyiv was sabotaging the"), "claim")
    ]
    page.keyboard.press("Alt+Shift+ArrowLeft")  # the start by a word
    moved_both = (span_id, *at("that Kyiv was sabotaging the"), "claim")
    assert stored(page, server, slug, document_id) == [moved_both]

    # each move is one undo step
    page.keyboard.press("Control+z")
    assert stored(page, server, slug, document_id) == [
        (span_id, *at("Kyiv was sabotaging the"), "claim")
    ]
    page.keyboard.press("Control+z")
    assert stored(page, server, slug, document_id) == [after_drag]
    page.keyboard.press("Control+z")
    assert stored(page, server, slug, document_id) == [(span_id, *at("Kyiv was"), "claim")]
    page.keyboard.press("Control+Shift+z")
    assert stored(page, server, slug, document_id) == [after_drag]

    # the history survives a reload: redo and undo go on where they were
    page.reload()
    page.wait_for_selector("#text")
    page.wait_for_load_state()
    assert page.evaluate("window.annotatorWorkspace.history()") == {"undo": 2, "redo": 2}
    page.keyboard.press("Control+y")
    page.keyboard.press("Control+y")
    assert stored(page, server, slug, document_id) == [moved_both]
    page.keyboard.press("Control+z")
    assert stored(page, server, slug, document_id) == [
        (span_id, *at("Kyiv was sabotaging the"), "claim")
    ]


def test_moving_a_boundary_onto_an_identical_span_is_refused_and_the_old_span_stays(
    workspace, server
):
    page, slug, document_id = workspace
    drag_select(page, TEXT, *at("Kyiv was sabotaging"))
    page.keyboard.press("1")
    wait_saved(page)
    drag_select(page, TEXT, *at("Kyiv was"))
    page.keyboard.press("1")
    wait_saved(page)
    short = page.locator(
        f'#span-list li[data-start="{at("Kyiv was")[0]}"][data-end="{at("Kyiv was")[1]}"]'
    )
    short_id = short.get_attribute("data-span")
    short.locator("button").click()
    page.locator("#text").focus()
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_selector("#save-notice:not([hidden])")
    assert "you have marked this already" in page.inner_text("#save-notice")
    spans = {s["id"]: (s["start"], s["end"]) for s in api_spans(page, server, slug, document_id)}
    assert spans[short_id] == at("Kyiv was")
    page.wait_for_function(
        "(id) => document.querySelector(`#span-list li[data-span='${id}']`).dataset.end === '"
        + str(at("Kyiv was")[1])
        + "'",
        arg=short_id,
    )
    # the refused move left nothing to undo: Ctrl+Z takes back the span's making
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert short_id not in {s["id"] for s in api_spans(page, server, slug, document_id)}


def test_a_span_is_made_labelled_relabelled_and_deleted_with_the_keyboard_alone(workspace, server):
    page, slug, document_id = workspace
    for _ in range(80):  # Tab through the page to the text
        page.keyboard.press("Tab")
        if focused(page) == "text":
            break
    assert focused(page) == "text"
    assert page.locator(".caret").is_visible()

    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("Control+ArrowRight")  # after "Kyiv"
    page.keyboard.press("Control+ArrowLeft")
    page.keyboard.press("ArrowLeft")  # after "that"
    page.keyboard.press("ArrowRight")  # before "Kyiv"
    page.keyboard.press("Shift+Control+ArrowRight")
    page.keyboard.press("Shift+Control+ArrowRight")  # "Kyiv was"
    page.wait_for_selector("#toolbar:not([hidden])")
    page.keyboard.press("1")  # claim
    [(span_id, start, end, label)] = stored(page, server, slug, document_id)
    assert (start, end, label) == (*at("Kyiv was"), "claim")
    assert focused(page) == "text"  # not <body> after the save

    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # selects the first span
    assert page.evaluate("window.annotatorWorkspace.selected()") == span_id
    page.keyboard.press("2")  # relabel: evidence
    assert stored(page, server, slug, document_id) == [(span_id, start, end, "evidence")]
    assert focused(page) == "text"

    page.keyboard.press("Tab")
    page.keyboard.press("Delete")
    assert stored(page, server, slug, document_id) == []
    assert focused(page) == "text"
    assert span_count(page) == 0

    # ? lists every key; Tab stays inside; Escape closes it and gives focus back
    page.keyboard.press("?")
    page.wait_for_selector("#key-help[open]")
    assert "move its end by a word" in page.inner_text("#key-help")
    # no suggestions here: their keys are not listed
    assert "accept the current suggestion" not in page.inner_text("#key-help")
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('key-help').contains(document.activeElement)")
    page.keyboard.press("Escape")
    page.wait_for_selector("#key-help:not([open])", state="attached")
    assert focused(page) == "text"


def test_a_span_made_offline_is_listed_edited_and_deleted_at_once_and_the_server_ends_right(
    workspace, server
):
    page, slug, document_id = workspace
    answered: list[str] = []  # requests the server answered (tries while offline never arrive)
    page.on(
        "requestfinished",
        lambda request: (
            answered.append(request.method + " " + request.url.rsplit("/", 1)[-1])
            if "/spans/" in request.url
            else None
        ),
    )
    page.context.set_offline(True)

    drag_select(page, TEXT, *at("Kyiv was"))
    page.keyboard.press("1")
    page.wait_for_selector("#span-list li.pending[data-span]")
    kept = page.locator("#span-list li[data-span]").first.get_attribute("data-span")

    # selectable from the list and relabelled through its popover
    page.click(f'#span-list li[data-span="{kept}"] button')
    page.click("#popover button[data-relabel=evidence]")
    assert page.locator(f'#span-list li[data-span="{kept}"]').get_attribute("data-label") == (
        "evidence"
    )
    # selected with Tab, its end moved with Shift+Right
    page.locator("#text").focus()
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert page.evaluate("window.annotatorWorkspace.selected()") == kept
    page.keyboard.press("Shift+ArrowRight")
    assert page.locator(f'#span-list li[data-span="{kept}"]').get_attribute("data-end") == str(
        at("Kyiv was sabotaging")[1]
    )

    # another span made and deleted offline: gone from the list and never sent
    drag_select(page, TEXT, *at("Moscow"))
    page.keyboard.press("2")
    page.wait_for_function(
        "() => document.querySelectorAll('#span-list li[data-span]').length === 2"
    )
    dropped = page.locator(f'#span-list li[data-start="{at("Moscow")[0]}"]').get_attribute(
        "data-span"
    )
    page.locator("#text").focus()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("window.annotatorWorkspace.selected()") == dropped
    page.keyboard.press("Backspace")
    assert span_count(page) == 1
    assert focused(page) == "text"

    page.context.set_offline(False)
    assert stored(page, server, slug, document_id) == [
        (kept, *at("Kyiv was sabotaging"), "evidence")
    ]
    # a create tried once may have arrived, so it became a DELETE; the server never stored it
    assert f"PUT {dropped}" not in answered
    assert page.locator(f'#span-list li[data-span="{kept}"]:not(.pending)').count() == 1


def test_undoing_a_step_whose_span_was_deleted_elsewhere_says_so_and_recreates_nothing(
    workspace, server
):
    page, slug, document_id = workspace
    drag_select(page, TEXT, *at("Kyiv was"))
    page.keyboard.press("1")
    [(span_id, *_)] = stored(page, server, slug, document_id)
    page.click(f'#span-list li[data-span="{span_id}"] button')
    page.locator("#text").focus()
    page.keyboard.press("Shift+ArrowRight")
    wait_saved(page)
    # another tab deletes the span
    status = page.evaluate(
        """async (url) => (await fetch(url, {method: 'DELETE', headers: {
             'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content,
             'X-Requested-With': 'fetch'}})).status""",
        f"/api/projects/{slug}/documents/{document_id}/spans/{span_id}",
    )
    assert status in (200, 204)
    page.keyboard.press("Control+z")
    page.wait_for_selector("#save-notice [data-kind=history]")
    assert "the span was deleted meanwhile" in page.inner_text("#save-notice")
    assert stored(page, server, slug, document_id) == []  # the undo did not bring it back
