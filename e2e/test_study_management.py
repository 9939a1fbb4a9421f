"""Running a study (issue 17): a manager renames a label while an annotator has the document
open; the annotator's next saves, made with the page as it was, land on the renamed label."""

from __future__ import annotations

import re

from e2e.conftest import login
from e2e.workspace_helpers import api_spans, drag_select, make_project, wait_saved

TEXT = "Захарова said the talks were sabotaged, and مفاوضات بلا نتيجة followed 👩\u200d👩\u200d👧."


def test_a_label_renamed_while_the_document_is_open_takes_the_next_save(new_page, server, tmp_path):
    slug = make_project(server, tmp_path, [{"id": "open", "title": "Open", "text": TEXT}])
    annotator = new_page()
    login(annotator, server, "ana", "ana-password")
    annotator.goto(f"{server.url}/p/{slug}")
    annotator.click("#next-document")
    annotator.wait_for_selector("#text")
    document_id = int(re.search(r"/d/(\d+)", annotator.url).group(1))
    first = TEXT.index("Захарова")
    drag_select(annotator, TEXT, first, first + len("Захарова"))
    annotator.keyboard.press("1")  # claim
    wait_saved(annotator)

    manager = new_page()
    login(manager, server, "lead", "lead-password")
    manager.goto(f"{server.url}/p/{slug}/settings")
    block = manager.locator('.label-settings[data-label="claim"]')
    block.locator("input[name=name]").fill("assertion")
    block.get_by_role("button", name="Rename").click()
    manager.wait_for_selector("text=renamed label 'claim' to 'assertion'")

    # the annotator's page still says "claim" on its buttons and keys
    second = TEXT.index("مفاوضات بلا نتيجة")
    drag_select(annotator, TEXT, second, second + len("مفاوضات بلا نتيجة"))
    annotator.keyboard.press("1")
    wait_saved(annotator)
    assert "error" not in (annotator.get_attribute("#save-state", "class") or "")

    spans = api_spans(annotator, server, slug, document_id)
    assert sorted((span["text"], span["label"]) for span in spans) == [
        ("Захарова", "assertion"),
        ("مفاوضات بلا نتيجة", "assertion"),
    ]
    annotator.reload()
    annotator.wait_for_selector("#text")
    labels = annotator.locator("#span-list li[data-span]").evaluate_all(
        "items => items.map(item => item.dataset.label)"
    )
    assert labels == ["assertion", "assertion"]
    manager.goto(f"{server.url}/p/{slug}/activity")
    assert manager.locator("#activity tbody tr").first.inner_text().count("assertion") == 1


def test_a_document_reassigned_in_the_matrix_is_the_annotators_next_and_shows_everywhere(
    new_page, server, tmp_path
):
    documents = [
        {"id": f"n{n}", "title": f"Note {n}", "text": f"Bridge {n} is safe, the mayor said."}
        for n in range(3)
    ]
    documents.append({"id": "target", "title": "Target", "text": "Захарова назвала переговоры."})
    slug = make_project(server, tmp_path, documents, annotators=("ana", "ben"))
    manager = new_page()
    login(manager, server, "lead", "lead-password")

    # search finds the document by a word of its text
    manager.goto(f"{server.url}/p/{slug}")
    manager.fill("#document-filters input[name=q]", "переговоры")
    with manager.expect_navigation():  # to the list's load: a click returns once it has begun
        manager.click("#document-filters button")
    assert manager.locator("#documents tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.document)"
    ) == ["target"]

    # assign it to ana in the matrix, then move it to ben
    manager.goto(f"{server.url}/p/{slug}/assignments")
    manager.check('tr[data-document="target"] td[data-annotator="ana"] input[name=cell]')
    with manager.expect_navigation():
        manager.click("button[value=assign]")
    manager.check('tr[data-document="target"] td[data-annotator="ana"] input[name=cell]')
    manager.select_option("select[name=to]", label="ben")
    with manager.expect_navigation():
        manager.click("button[value=reassign]")
    cell = manager.locator('tr[data-document="target"] td[data-annotator="ben"] .status')
    assert cell.inner_text() == "assigned"

    annotator = new_page()
    login(annotator, server, "ben", "ben-password")
    annotator.goto(f"{server.url}/p/{slug}")
    annotator.click("#next-document")
    annotator.wait_for_selector("#text")
    assert annotator.inner_text("#text") == "Захарова назвала переговоры."
    start = 0
    drag_select(annotator, "Захарова назвала переговоры.", start, len("Захарова"))
    annotator.keyboard.press("1")
    wait_saved(annotator)
    finished = annotator.url
    annotator.click("#mark-done")
    annotator.wait_for_function(f"() => location.href !== {finished!r}")

    manager.goto(f"{server.url}/p/{slug}/dashboard")
    assert "ben, claim: 1 (100%)" in manager.locator("svg#labels").inner_html()
    assert "ben (1 done)" in manager.locator("svg#progress").inner_html()
