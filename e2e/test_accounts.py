"""Two annotators in their own browsers work their queues; the manager's dashboard shows both."""

from __future__ import annotations

from e2e.conftest import login
from e2e.workspace_helpers import make_project

DOCUMENTS = [
    {"id": f"doc-{n}", "title": f"Article {n}", "text": f"Article {n} says the mayor lied."}
    for n in range(1, 7)
]


def test_two_annotators_take_documents_mark_one_done_and_the_manager_sees_both(
    new_page, server, tmp_path
):
    slug = make_project(server, tmp_path, DOCUMENTS, annotators=("ana", "ben"))
    titles = {}
    for name in ("ana", "ben"):
        page = new_page()
        login(page, server, name, f"{name}-password")
        page.goto(f"{server.url}/p/{slug}")
        page.click("#next-document")
        page.wait_for_selector("#text")
        page.wait_for_load_state()  # htmx and the workspace scripts are ready: clicks work
        titles[name] = page.inner_text("h1")
        first_url = page.url
        page.click("#mark-done")
        page.wait_for_url(lambda url, first=first_url: url != first)  # the next document opens
        assert page.inner_text("h1") != titles[name]
        page.goto(f"{server.url}/p/{slug}")
        queue = page.inner_text(".queue")
        assert titles[name] in queue and "done" in queue

    manager = new_page()
    login(manager, server, "lead", "lead-password")
    manager.goto(f"{server.url}/p/{slug}/dashboard")
    for name in ("ana", "ben"):
        row = manager.locator(f'#dashboard tr[data-annotator="{name}"]')
        assert row.locator("td.done").inner_text() == "1"
        assert row.locator("td").nth(2).inner_text() == "1"  # the next one, in progress
