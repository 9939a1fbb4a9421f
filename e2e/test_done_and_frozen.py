"""Finished work is read-only until reopened, and frozen once its annotator has seen the
comparison (issue 13, item 4; issue 14, defect 4), in Chromium with real mouse drags."""

from __future__ import annotations

import uuid

import pytest

from e2e.conftest import login
from e2e.workspace_helpers import (
    api_spans,
    drag_select,
    one_document_project,
    open_next_document,
    wait_saved,
)

TEXT = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks."


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def project(server, tmp_path) -> str:
    return one_document_project(server, tmp_path, TEXT, prefix="f")


def put_span_from_page(page, server, slug: str, document_id: int) -> int:
    """The status the span API gives this page's session for a new span (CSRF token and all)."""
    return page.evaluate(
        """async ([url, body]) => {
            const token = document.querySelector('meta[name=csrf-token]').content;
            const answer = await fetch(url, {method: 'PUT', body: JSON.stringify(body),
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
            return answer.status;
        }""",
        [
            f"{server.url}/api/projects/{slug}/documents/{document_id}/spans/{uuid.uuid4()}",
            {"label": "claim", "start": at("talks")[0], "end": at("talks")[1]},
        ],
    )


def test_done_work_is_read_only_until_its_annotator_reopens_it(new_page, server, project):
    page = new_page()
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, project)
    drag_select(page, TEXT, *at("Kyiv"))
    page.keyboard.press("1")
    wait_saved(page)
    page.click("#mark-done")
    page.wait_for_function("() => !location.pathname.includes('/d/')")  # on to what is next

    page.goto(f"{server.url}/p/{project}/d/{document_id}")
    page.wait_for_selector("#read-only-note")
    assert put_span_from_page(page, server, project, document_id) == 409
    assert [s["start"] for s in api_spans(page, server, project, document_id)] == [at("Kyiv")[0]]

    page.click("#reopen")
    page.wait_for_selector("#mark-done")
    drag_select(page, TEXT, *at("talks"))
    page.keyboard.press("1")
    wait_saved(page)
    starts = sorted(s["start"] for s in api_spans(page, server, project, document_id))
    assert starts == [at("Kyiv")[0], at("talks")[0]]


def test_after_seeing_the_comparison_only_a_manager_can_reopen(new_page, server, project):
    ana = new_page()
    login(ana, server, "ana", "ana-password")
    document_id = open_next_document(ana, server, project)
    drag_select(ana, TEXT, *at("Kyiv"))
    ana.keyboard.press("1")
    wait_saved(ana)
    ana.click("#mark-done")
    ana.wait_for_function("() => !location.pathname.includes('/d/')")  # on to what is next

    lead = new_page()
    login(lead, server, "lead", "lead-password")
    lead.goto(f"{server.url}/p/{project}/settings")
    lead.check("input[name=comparison_open]")
    lead.locator("form:has(input[name=comparison_open]) button").first.click()
    lead.wait_for_load_state("load")

    ana.goto(f"{server.url}/p/{project}/compare/{document_id}")
    assert ana.locator("h1").first.is_visible()
    ana.goto(f"{server.url}/p/{project}/d/{document_id}")
    ana.wait_for_selector("#frozen-note")
    assert ana.locator("#reopen").count() == 0
    assert put_span_from_page(ana, server, project, document_id) == 409

    lead.goto(f"{server.url}/p/{project}/compare/{document_id}")
    lead.locator("form:has(input[name=annotator][value=ana]) button.reopen").click()
    lead.wait_for_load_state("load")
    ana.goto(f"{server.url}/p/{project}/d/{document_id}")
    ana.wait_for_selector("#mark-done")
    assert put_span_from_page(ana, server, project, document_id) == 201


def test_a_refused_reopen_says_why_on_the_page(new_page, server, project):
    """The workspace's *Reopen* is an htmx button: its refusal (the work froze in another tab
    when its annotator saw the comparison) shows the server's reason instead of doing nothing."""
    ana = new_page()
    login(ana, server, "ana", "ana-password")
    document_id = open_next_document(ana, server, project)
    drag_select(ana, TEXT, *at("Kyiv"))
    ana.keyboard.press("1")
    wait_saved(ana)
    ana.click("#mark-done")
    ana.wait_for_function("() => !location.pathname.includes('/d/')")
    ana.goto(f"{server.url}/p/{project}/d/{document_id}")
    ana.wait_for_selector("#reopen")

    lead = new_page()
    login(lead, server, "lead", "lead-password")
    lead.goto(f"{server.url}/p/{project}/settings")
    lead.check("input[name=comparison_open]")
    lead.locator("form:has(input[name=comparison_open]) button").first.click()
    lead.wait_for_load_state("load")
    other_tab = ana.context.new_page()
    other_tab.goto(f"{server.url}/p/{project}/compare/{document_id}")
    assert other_tab.locator("h1").first.is_visible()
    other_tab.close()

    refusal = ana.locator("#request-error")
    assert refusal.is_hidden()
    ana.click("#reopen")
    refusal.wait_for(state="visible")
    assert "seen the comparison" in refusal.inner_text()
    assert ana.locator("#reopen").is_visible()  # nothing changed on the page
