"""Document questions in the workspace (issue 16): the manager defines a required 1–5 scale on
the settings page, the annotator answers it with the mouse beside the text, Mark done warns while
it is unanswered, and an answer given offline is kept in the save queue and saved on return."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import login
from e2e.workspace_helpers import one_document_project, wait_saved

TEXT = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks."
ANSWERS_API = "**/api/projects/*/documents/*/answers/*"


@pytest.fixture
def project(server, tmp_path) -> str:
    return one_document_project(server, tmp_path, TEXT, prefix="qs")


def define_credibility(page, server, slug: str) -> None:
    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}/settings")
    form = page.locator("#new-question")
    form.locator("input[name=name]").fill("credibility")
    form.locator("select[name=kind]").select_option("scale")
    form.locator("input[name=prompt]").fill("How credible is the article?")
    form.locator("input[name=minimum]").fill("1")
    form.locator("input[name=maximum]").fill("5")
    form.locator("input[name=low_label]").fill("not at all")
    form.locator("input[name=high_label]").fill("fully")
    form.locator("input[name=required]").check()
    form.locator("button").click()
    page.wait_for_selector('[data-question="credibility"]')


def wait_ready(page) -> None:
    """The workspace's script runs after the page is parsed: wait for it before clicking."""
    page.wait_for_selector("#questions")
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.annotatorWorkspace !== undefined")


def stored_answer(page, server, slug: str, document_id: int):
    url = f"{server.url}/api/projects/{slug}/documents/{document_id}/answers/credibility"
    response = page.request.get(url)
    assert response.ok, response.text()
    return response.json()["value"]


def test_annotator_answers_a_required_scale_and_mark_done_warns_until_then(
    new_page, server, project
):
    define_credibility(new_page(), server, project)
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
    login(page, server, "ana", "ana-password")
    page.goto(f"{server.url}/p/{project}")
    page.click("#next-document")
    wait_ready(page)
    document_id = int(re.search(r"/d/(\d+)", page.url).group(1))
    assert "not at all" in page.inner_text("#questions")

    page.click("#mark-done")
    warning = page.locator("#questions-warning")
    warning.wait_for(state="visible")
    assert "credibility" in warning.inner_text()
    assert "/d/" in page.url  # still on the document: the first click only warned

    page.get_by_label("4", exact=True).check()
    wait_saved(page)
    assert stored_answer(page, server, project, document_id) == 4

    page.route(ANSWERS_API, lambda route: route.abort())  # the network is gone
    page.get_by_label("5", exact=True).check()
    page.wait_for_function("() => window.annotatorWorkspace.queue().length === 1")
    page.unroute(ANSWERS_API)
    page.reload()  # the queued answer is shown and then sent from this browser's storage
    wait_ready(page)
    wait_saved(page)
    assert page.get_by_label("5", exact=True).is_checked()
    assert stored_answer(page, server, project, document_id) == 5

    page.click("#mark-done")  # answered: no warning, marked done and on to what comes next
    page.wait_for_url(lambda url: f"/d/{document_id}" not in url)
