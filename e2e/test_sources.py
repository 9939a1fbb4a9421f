"""The source registry as people use it: annotator A creates a source from the popover of an
attribution span, annotator B types two letters and picks the same source, the manager sees it
on the Sources page (2 attributions across 1 document) and merges a duplicate into it."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.conftest import login
from e2e.test_every_page import PHONE, axe_violations, page_width
from e2e.workspace_helpers import (
    ATTRIBUTION,
    SENTENCE,
    draw_attribution,
    offer_source,
    one_document_project,
    open_next_document,
    open_popover,
    source_shown,
    wait_saved,
)


def test_two_annotators_share_a_source_and_the_manager_merges_a_duplicate_into_it(
    server, tmp_path, new_page
):
    slug = one_document_project(server, tmp_path, SENTENCE, annotators=("ana", "ben"), overlap=2)

    # A: a new source from the popover, with its kind, by the keys
    ana = new_page()
    login(ana, server, "ana", "ana-password")
    document_id = open_next_document(ana, server, slug)
    ana.keyboard.press("?")  # the key help lists the Source field's keys where a label names one
    expect(ana.locator("#key-help")).to_contain_text("In a span's Source field")
    ana.keyboard.press("Escape")
    expect(ana.locator("#key-help")).not_to_be_visible()
    span_a = draw_attribution(ana)
    open_popover(ana, span_a)
    ana.select_option("#source-kind", "outlet")
    offer_source(ana, "Reuters", "Create “Reuters”")
    assert ana.get_attribute("#source-input", "aria-expanded") == "true"
    assert axe_violations(ana) == []
    ana.press("#source-input", "Enter")
    wait_saved(ana)
    source_shown(ana, span_a, "source: Reuters (outlet)")
    assert ana.inner_text("#source-chosen") == "Reuters (outlet)"

    # B: two letters, then the mouse picks the source A made
    ben = new_page(viewport=PHONE)
    login(ben, server, "ben", "ben-password")
    assert open_next_document(ben, server, slug) == document_id
    span_b = draw_attribution(ben)
    open_popover(ben, span_b)
    option = offer_source(ben, "re", "Reuters · outlet")
    assert ben.locator("#source-options [role=option]").count() == 2  # Reuters, create "re"
    assert page_width(ben) <= PHONE["width"]
    option.click()
    wait_saved(ben)
    source_shown(ben, span_b, "source: Reuters (outlet)")

    # the manager: a duplicate named in gold, then the Sources page and a merge
    lead = new_page()
    login(lead, server, "lead", "lead-password")
    lead.goto(f"{server.url}/p/{slug}/sources")
    token = lead.get_attribute('meta[name="csrf-token"]', "content")
    start = SENTENCE.index(ATTRIBUTION)
    answer = lead.request.put(
        f"{server.url}/api/projects/{slug}/documents/{document_id}/gold/gold-dup-0001",
        headers={"X-CSRFToken": token},
        data={
            "label": "attribution",
            "start": start,
            "end": start + len(ATTRIBUTION),
            "named_source": {"name": "Reuters agency", "kind": "outlet"},
        },
    )
    assert answer.status == 201, answer.text()
    lead.reload()
    reuters = lead.locator(
        "#sources tr", has=lead.locator("strong.source-name", has_text="Reuters")
    ).first
    assert reuters.locator(".attributions").inner_text() == "2 (0)"
    assert reuters.locator(".documents").inner_text() == "1"
    assert lead.locator("#sources tbody tr").count() == 2
    assert axe_violations(lead) == []
    lead.locator('input[aria-label="merge Reuters"]').check()
    lead.locator('input[aria-label="merge Reuters agency"]').check()
    lead.click("#merge-form button")
    lead.wait_for_selector("#merge-confirm")
    assert "2 attributions and 0 gold" in lead.inner_text("#merge-confirm")
    assert axe_violations(lead) == []
    lead.locator("#merge-confirm label", has_text="Reuters (outlet): 2").locator("input").check()
    lead.click("#merge-confirm button")
    lead.wait_for_selector("text=merged sources 'Reuters agency' into 'Reuters'")
    assert lead.locator("#sources tbody tr").count() == 1
    assert lead.locator("#sources .attributions").inner_text() == "2 (1)"
    lead.set_viewport_size(PHONE)
    assert page_width(lead) <= PHONE["width"]


def test_a_source_created_offline_waits_in_the_queue_and_is_saved_once_back_online(
    server, tmp_path, new_page
):
    slug = one_document_project(server, tmp_path, SENTENCE, annotators=("ana",))
    ana = new_page()
    login(ana, server, "ana", "ana-password")
    document_id = open_next_document(ana, server, slug)
    span = draw_attribution(ana)
    open_popover(ana, span)
    ana.context.set_offline(True)
    # no suggestions offline: creating by name is still offered, and queued
    offer_source(ana, "Jane Doe", "Create “Jane Doe”")
    ana.press("#source-input", "Enter")
    source_shown(ana, span, "source: Jane Doe (person)")
    assert ana.evaluate("window.annotatorWorkspace.queue().length") == 1
    ana.context.set_offline(False)
    ana.evaluate("window.dispatchEvent(new Event('online'))")
    wait_saved(ana)
    spans = ana.request.get(f"{server.url}/api/projects/{slug}/documents/{document_id}/spans")
    assert [item["named_source_id"] is not None for item in spans.json()["spans"]] == [True]
    source_shown(ana, span, "source: Jane Doe (person)")
