"""Skip and flag in the workspace (issue 15) and active time (issue 17): an annotator skips a
document and flags the next one; the manager sees the flag and the measured time on the
dashboard, resolves the flag there, and the matrix shows the skip."""

from __future__ import annotations

import re

from e2e.conftest import login
from e2e.workspace_helpers import make_project

DOCUMENTS = [
    {"id": f"n{n}", "title": f"Note {n}", "text": f"Bridge {n} is safe, the mayor said."}
    for n in range(3)
]


def hide_tab(page) -> None:
    """What the browser does when the annotator switches tabs: the tracker sends its total."""
    page.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', "
        "{value: 'hidden', configurable: true}); "
        "document.dispatchEvent(new Event('visibilitychange')); }"
    )


def test_skip_then_flag_and_the_manager_resolves_the_flag(new_page, server, tmp_path):
    slug = make_project(server, tmp_path, DOCUMENTS, annotators=("ana", "ben"))
    annotator = new_page()
    login(annotator, server, "ana", "ana-password")
    annotator.goto(f"{server.url}/p/{slug}")
    annotator.click("#next-document")
    annotator.wait_for_selector("#text")
    skipped = annotator.inner_text("h1")

    # active time: input, a moment of work, then the tab is hidden and the total is sent
    annotator.mouse.move(200, 300)
    annotator.keyboard.press("ArrowDown")
    annotator.wait_for_timeout(1200)
    annotator.mouse.move(210, 310)
    with annotator.expect_response(
        lambda r: "/active-time/" in r.url and r.request.method == "PUT"
    ) as sent:
        hide_tab(annotator)
    assert sent.value.status == 200 and sent.value.json()["total_seconds"] >= 1

    annotator.reload()
    annotator.wait_for_selector("#text")
    annotator.click("#skip-document")
    annotator.wait_for_selector("text=Skipped: the document went back to the pool.")
    flagged = annotator.inner_text("h1")
    assert flagged != skipped

    annotator.click("#flag-box summary")
    annotator.check("input[name=reason][value=off_topic]")
    annotator.fill("#flag-note", "A sports report, not politics.")
    annotator.click("#flag-document")
    annotator.wait_for_selector("text=Flagged (off topic): a manager will look at it.")
    assert annotator.inner_text("h1") not in (skipped, flagged)

    manager = new_page()
    login(manager, server, "lead", "lead-password")
    manager.goto(f"{server.url}/p/{slug}/dashboard")
    row = manager.locator('#flag-list tr[data-annotator="ana"]')
    assert "off topic: A sports report, not politics." in row.inner_text()
    # every page she worked on counts (the pages she left sent their time as she left them)
    assert re.search(r"ana: \d+ documents?, median", manager.locator("svg#time").inner_html())
    row.locator("input[name=resolution]").fill("Keep it: sport counts here.")
    row.get_by_role("button", name="Resolve").click()
    manager.wait_for_selector("#no-flags")
    manager.goto(f"{server.url}/p/{slug}/activity")
    assert "Keep it: sport counts here." in manager.locator("#activity tbody tr").first.inner_text()

    manager.goto(f"{server.url}/p/{slug}/assignments")
    cells = manager.locator('td[data-annotator="ana"] .status').all_inner_texts()
    assert "skipped" in cells and "in progress" in cells  # the flagged one came back to her

    # the flagged document is hers again: it is in her list, open to work on
    annotator.goto(f"{server.url}/p/{slug}")
    link = annotator.get_by_role("link", name=flagged)
    href = link.get_attribute("href")
    assert href and re.search(r"/d/\d+$", href)
    assert "in progress" in annotator.locator("ul.queue").inner_text()
