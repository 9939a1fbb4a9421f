"""The save queue across accounts and sessions (issue 13): a queued change is sent only by the
account that made it, survives the end of its session, and one refused change does not stop the
rest. Spans are drawn with real mouse drags; the network is cut or faked with page.route."""

from __future__ import annotations

import json
import re

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
SPANS_API = "**/api/projects/*/documents/*/spans/*"


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def project(server, tmp_path) -> str:
    """A project whose one document goes to both ana and ben (overlap 2)."""
    return one_document_project(server, tmp_path, TEXT, ("ana", "ben"), overlap=2, prefix="q")


def draw(page, phrase: str, key: str) -> None:
    drag_select(page, TEXT, *at(phrase))
    page.keyboard.press(key)


def stored(page, server, slug, document_id) -> list[tuple[int, int, str]]:
    return [(s["start"], s["end"], s["label"]) for s in api_spans(page, server, slug, document_id)]


def test_a_queued_span_is_not_sent_by_the_next_account_and_lands_as_its_makers(
    new_page, server, project
):
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, project)
    page.route(SPANS_API, lambda route: route.abort())  # offline
    draw(page, "Kyiv", "1")
    page.wait_for_function("() => window.annotatorWorkspace.queue().length === 1")
    ana_span = page.evaluate("window.annotatorWorkspace.queue()[0].id")
    page.context.clear_cookies()  # ana's session is gone; her change stays in this browser
    page.unroute(SPANS_API)

    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method in ("PUT", "DELETE") else None)
    login(page, server, "ben", "ben-password")
    assert open_next_document(page, server, project) == document_id
    assert page.evaluate("window.annotatorWorkspace.queue().length") == 0
    assert page.evaluate("window.annotatorWorkspace.pending()") == 0  # ana's span is not shown
    # ben's own span: once it is saved, anything queued before it would have been sent too.
    draw(page, "Reuters", "3")
    wait_saved(page)
    assert not [url for url in sent if ana_span in url]
    assert stored(page, server, project, document_id) == [(*at("Reuters"), "attribution")]

    login(page, server, "ana", "ana-password")
    page.goto(f"{server.url}/p/{project}/d/{document_id}")
    page.wait_for_selector("#text")
    wait_saved(page)
    assert stored(page, server, project, document_id) == [(*at("Kyiv"), "claim")]


def test_a_span_made_after_a_log_out_in_another_tab_is_saved_after_logging_in_again(
    new_page, server, project
):
    page = new_page()
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, project)
    other_tab = page.context.new_page()
    other_tab.goto(server.url + "/")
    other_tab.click("header form button")  # log out
    other_tab.wait_for_url(re.compile(r"/login"))

    page.bring_to_front()
    draw(page, "Kyiv", "1")
    notice = page.locator("#save-notice")
    notice.wait_for(state="visible")
    assert "log in again" in notice.inner_text().lower()
    assert notice.locator("a[target=_blank]").get_attribute("href").endswith("/login")
    assert page.evaluate("window.annotatorWorkspace.queue().length") == 1

    login(other_tab, server, "ana", "ana-password")
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # coming back to the tab
    wait_saved(page)
    assert notice.is_hidden()
    assert stored(page, server, project, document_id) == [(*at("Kyiv"), "claim")]


def test_a_queued_span_is_not_sent_when_another_account_logs_in_meanwhile(
    new_page, server, project
):
    page = new_page()
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, project)
    other_tab = page.context.new_page()
    other_tab.goto(server.url + "/")
    other_tab.click("header form button")
    other_tab.wait_for_url(re.compile(r"/login"))
    draw(page, "Kyiv", "1")
    page.locator("#save-notice").wait_for(state="visible")

    login(other_tab, server, "ben", "ben-password")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_function(
        "() => document.getElementById('save-notice').textContent.includes('Another account')"
    )
    assert page.evaluate("window.annotatorWorkspace.queue().length") == 1
    assert "belong to ana" in page.locator("#save-notice").inner_text()
    assert open_next_document(other_tab, server, project) == document_id
    assert stored(other_tab, server, project, document_id) == []  # nothing saved as ben


def test_a_refused_save_is_named_and_a_later_span_still_saves(page, server, project):
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, project)
    refused = []

    def refuse_first(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=422,
                content_type="application/json",
                body=json.dumps({"error": "label: not allowed here", "field": "label"}),
            )
        else:
            route.continue_()

    page.route(SPANS_API, refuse_first)
    draw(page, "Kyiv", "1")
    notice = page.locator("#save-notice")
    notice.wait_for(state="visible")
    assert "«Kyiv» (claim) was not saved: label: not allowed here" in notice.inner_text()
    # The queue drained: the server's rendering is back in (drawing on the old one would miss).
    page.wait_for_function(
        "() => document.getElementById('save-state').textContent.startsWith('not saved:')"
    )

    draw(page, "Reuters", "3")
    wait_saved(page)
    assert len(refused) == 1
    assert stored(page, server, project, document_id) == [(*at("Reuters"), "attribution")]
    assert notice.is_visible()  # the message stays until dismissed
    notice.get_by_role("button", name="dismiss").click()
    assert notice.is_hidden()
