"""Suggestions in the browser: the manager turns the rule recommender on, an annotator sees dashed
suggestions, accepts two with Enter and rejects one with x, and the export marks exactly the
accepted spans ``origin: suggestion``; the example HTTP recommender answers, and a broken one
leaves a quiet message and a working workspace."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import login
from e2e.test_every_page import axe_violations, page_width
from e2e.workspace_helpers import (
    api_spans,
    drag_select,
    one_document_project,
    open_next_document,
    span_count,
    wait_saved,
    wait_workspace_ready,
)
from tests.support.server import in_thread

TEXT = (
    "The fire was caused by faulty wiring, the port authority said on Wednesday. "
    '"Our inspectors found a melted junction box," said Maria Okafor. '
    "Local residents said the smoke could be seen from far away."
)
LIST_API = re.compile(r".*/api/projects/[^/]+/documents/\d+/suggestions$")
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example_recommender.py"


def _settings(page, server, slug: str, **fields) -> None:
    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}/suggestions")
    for name in ("rules_enabled", "http_enabled"):
        box = page.locator(f"input[name={name}]")
        if fields.get(name):
            box.check()
        else:
            box.uncheck()
    if "http_url" in fields:
        page.fill("input[name=http_url]", fields["http_url"])
    if "http_timeout" in fields:
        page.fill("input[name=http_timeout]", str(fields["http_timeout"]))
    page.click("form.suggestion-settings button.primary")
    expect(page.locator(".flash.success")).to_contain_text("Saved")


def _boxes(page):
    return page.locator(".suggestion-layer .suggestion-box")


def _ana_with_rule_suggestions(new_page, server, tmp_path, prefix: str):
    """A one-document project with the rule recommender on, its document opened by ana and its
    4 suggestions listed: (ana's page, the project's slug, the document's id)."""
    slug = one_document_project(server, tmp_path, TEXT, prefix=prefix)
    _settings(new_page(), server, slug, rules_enabled=True)
    page = new_page()
    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, slug)
    expect(page.locator("#suggestion-list li")).to_have_count(4)
    return page, slug, document_id


def test_annotator_accepts_two_suggestions_with_keys_and_rejects_one(new_page, server, tmp_path):
    page, slug, document_id = _ana_with_rule_suggestions(new_page, server, tmp_path, "sg")
    assert _boxes(page).count() >= 4
    style = _boxes(page).first.evaluate("b => getComputedStyle(b)")
    assert style["borderTopStyle"] == "dashed"
    assert style["backgroundColor"] in ("rgba(0, 0, 0, 0)", "transparent")
    assert span_count(page) == 0  # suggestions are nobody's spans

    texts = page.locator("#suggestion-list li").all_inner_texts()
    page.locator("#text").click(position={"x": 1, "y": 1})  # focus the page, not a button
    page.keyboard.press("Enter")
    expect(page.locator("#suggestion-list li")).to_have_count(3)
    page.keyboard.press("Enter")
    expect(page.locator("#suggestion-list li")).to_have_count(2)
    page.keyboard.press("x")
    expect(page.locator("#suggestion-list li")).to_have_count(1)
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(2)
    spans = api_spans(page, server, slug, document_id)
    assert sorted(s["origin"] for s in spans) == ["suggestion", "suggestion"]

    # the rejected one stays away after a reload; the accepted ones are spans now
    page.reload()
    expect(page.locator("#suggestion-list li")).to_have_count(1)
    shown = page.locator("#suggestion-list li").all_inner_texts()
    assert texts[2] not in shown and texts[0] not in shown and texts[1] not in shown

    # a span marked by hand is manual in the export; the accepted ones are suggestions
    start = TEXT.index("faulty wiring")
    drag_select(page, TEXT, start, start + len("faulty wiring"))
    page.keyboard.press("2")
    wait_saved(page)
    (line,) = [json.loads(row) for row in server.cli("export", slug).splitlines() if row]
    origins = sorted((item["origin"], item.get("recommender")) for item in line["annotations"])
    assert origins == [("manual", None), ("suggestion", "rules"), ("suggestion", "rules")]

    # undo takes the hand-made span back
    page.keyboard.press("Control+z")
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(2)


def test_accepting_and_rejecting_are_undone_like_other_edits(new_page, server, tmp_path):
    page, slug, _document_id = _ana_with_rule_suggestions(new_page, server, tmp_path, "su")
    page.locator("#text").click(position={"x": 1, "y": 1})
    page.keyboard.press("Enter")
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)
    page.keyboard.press("Backspace")
    expect(page.locator("#suggestion-list li")).to_have_count(2)
    page.keyboard.press("Control+z")  # the rejection is taken back
    expect(page.locator("#suggestion-list li")).to_have_count(3)
    page.keyboard.press("Control+z")  # the accepted span is deleted, the suggestion is back
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(0)
    expect(page.locator("#suggestion-list li")).to_have_count(4)
    page.keyboard.press("Control+Shift+z")  # redo: accepted again
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)

    # the history survives a reload: undo deletes the accepted span, redo accepts it once more
    page.reload()
    wait_workspace_ready(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)
    page.keyboard.press("Control+z")
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(0)
    expect(page.locator("#suggestion-list li")).to_have_count(4)
    page.keyboard.press("Control+Shift+z")
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)
    (line,) = [json.loads(row) for row in server.cli("export", slug).splitlines() if row]
    assert [(item["origin"], item.get("recommender")) for item in line["annotations"]] == [
        ("suggestion", "rules")
    ]


def test_a_list_asked_for_before_a_reject_does_not_bring_the_rejected_one_back(
    new_page, server, tmp_path
):
    """The reload that follows an accept can be on its way when the next key rejects: its answer
    is older than the reject and must not put the rejected suggestion back on screen."""
    page, slug, _document_id = _ana_with_rule_suggestions(new_page, server, tmp_path, "sr")

    held = []  # the list's reloads, answered by the server at once but handed to the page later

    def hold(route):
        if route.request.method != "GET" or held:
            route.continue_()
            return
        held.append((route, route.fetch()))

    page.route(LIST_API, hold)
    page.locator("#text").click(position={"x": 1, "y": 1})
    page.keyboard.press("Enter")
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)
    for _ in range(600):  # a count, not a clock: the reload is asked for once the body is redrawn
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the accept did not ask for the list again"
    page.keyboard.press("Backspace")
    expect(page.locator("#suggestion-list li")).to_have_count(2)
    answers = []

    def note(response):
        if LIST_API.match(response.url):
            answers.append(response)

    page.on("response", note)
    stale = list(held)
    for route, answer in stale:
        route.fulfill(response=answer)  # the stale answer (three suggestions) arrives now
    page.unroute(LIST_API)
    # the page drops it and asks once more; wait for that answer, then look
    for _ in range(600):
        if len(answers) > len(stale):
            break
        page.wait_for_timeout(50)
    expect(page.locator("#suggestion-list li")).to_have_count(2)
    page.reload()
    expect(page.locator("#suggestion-list li")).to_have_count(2)


@pytest.mark.parametrize("width", [1280, 390])
def test_suggestions_pages_pass_axe_and_fit_the_width(new_page, server, tmp_path, width):
    slug = one_document_project(server, tmp_path, TEXT, prefix="sa")
    viewport = {"width": width, "height": 900}
    manager = new_page(viewport)
    _settings(manager, server, slug, rules_enabled=True)
    page = new_page(viewport)
    login(page, server, "ana", "ana-password")
    open_next_document(page, server, slug)
    expect(page.locator("#suggestion-list li")).to_have_count(4)
    page.locator("#text").click(position={"x": 1, "y": 1})
    page.keyboard.press("Enter")
    expect(page.locator("#suggestion-list li")).to_have_count(3)
    page.keyboard.press("?")  # the key help lists the suggestions' keys while they are shown
    expect(page.locator("#key-help-suggestions")).to_contain_text("accept the current suggestion")
    page.keyboard.press("Escape")
    expect(page.locator("#key-help")).not_to_be_visible()
    shots = Path(__file__).resolve().parent / "artifacts"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"suggestions-workspace-{width}.png"), full_page=True)
    assert axe_violations(page) == []
    assert page_width(page) <= width
    for path in ("suggestions", "agreement/suggestions"):
        manager.goto(f"{server.url}/p/{slug}/{path}")
        manager.screenshot(path=str(shots / f"suggestions-{path.replace('/', '-')}-{width}.png"))
        assert axe_violations(manager) == [], path
        assert page_width(manager) <= width, path


def _example_handler():
    spec = importlib.util.spec_from_file_location("example_recommender", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Handler


class _Broken(BaseHTTPRequestHandler):
    """Never answers (``server.mode`` "silent") or answers offsets outside the text."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.mode == "silent":
            self.server.release.wait()
            return
        body = json.dumps({"spans": [{"label": "claim", "start": 3, "end": 10_000}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(handler, mode=""):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.mode, server.release = mode, threading.Event()
        servers.append((server, in_thread(server)))
        return f"http://127.0.0.1:{server.server_address[1]}/suggest"

    yield start
    for server, stop in servers:
        server.release.set()
        stop()


def test_the_example_http_recommender_suggests_in_the_workspace(new_page, server, tmp_path, serve):
    slug = one_document_project(server, tmp_path, TEXT, prefix="sh")
    _settings(new_page(), server, slug, http_enabled=True, http_url=serve(_example_handler()))
    page = new_page()
    login(page, server, "ana", "ana-password")
    open_next_document(page, server, slug)
    expect(page.locator("#suggestion-list li")).to_have_count(4)
    page.locator("#suggestion-list li .suggestion-accept").first.click()
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)


@pytest.mark.parametrize("mode", ["silent", "bad-offsets"])
def test_a_broken_recommender_shows_a_message_and_the_workspace_still_works(
    new_page, server, tmp_path, serve, mode
):
    slug = one_document_project(server, tmp_path, TEXT, prefix="sb")
    manager = new_page()
    url = serve(_Broken, mode)
    _settings(manager, server, slug, http_enabled=True, http_url=url, http_timeout=1)
    page = new_page()
    login(page, server, "ana", "ana-password")
    open_next_document(page, server, slug)
    expect(page.locator("#suggestion-problem")).to_contain_text("unavailable")
    start = TEXT.index("faulty wiring")
    drag_select(page, TEXT, start, start + len("faulty wiring"))
    page.keyboard.press("1")
    wait_saved(page)
    expect(page.locator("#span-list li[data-span]")).to_have_count(1)
    manager.goto(f"{server.url}/p/{slug}/suggestions")
    expected = "did not answer within 1 s" if mode == "silent" else "outside the text"
    expect(manager.locator("#recommender-status")).to_contain_text(expected)
