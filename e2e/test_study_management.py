"""Running a study (issue 17): a manager renames a label while an annotator has the document
open; the annotator's next saves, made with the page as it was, land on the renamed label."""

from __future__ import annotations

import re

from conftest import login
from workspace_helpers import api_spans, drag_select, make_project, wait_saved

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
