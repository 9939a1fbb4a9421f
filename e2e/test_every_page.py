"""Every page, as the manager and as an annotator: it fits a phone (390 px) without horizontal
scrolling, and axe-core finds no accessibility violation in it (at 1280 px and at 390 px).

The pages are found by following the links a person can follow from the home page (one page per
route, so the run is bounded by the number of routes, not of documents), plus the pages no link
leads to (log-in, a missing page). The walk itself runs at 1280 px and checks each page as it
reaches it; the pages are then visited again at 390 px. axe-core is loaded from the local file that
`make test-deps` installs, through Playwright, so the app's Content-Security-Policy stays as it is.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e.conftest import login
from e2e.test_agreement import DOCUMENTS
from e2e.workspace_helpers import make_project

AXE = Path(__file__).resolve().parents[1] / ".cache" / "axe" / "node_modules" / "axe-core"


def AXE_SOURCE() -> str:  # noqa: N802 - read once, when first needed
    return _axe_source()


@functools.cache
def _axe_source() -> str:
    return (AXE / "axe.min.js").read_text("utf-8")


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Links that download a file, end the session or are not pages.
NOT_PAGES = re.compile(r"/logout|/download|\.md$|\.css$|\.js$|/api/|/jobs/")
#: A bound on the crawl (there are about 15 routes): a crawl that finds more is a bug here.
MAX_PAGES = 40


def route_of(path: str) -> str:
    """``/p/demo/d/12`` and ``/p/demo/d/13?x=1`` are one route: ids, queries stand for any."""
    return re.sub(r"/\d+", "/N", path.split("?")[0])


def pages_from_home(
    page, base: str, projects: frozenset[str], on_page: Callable[[str], None] = lambda _path: None
) -> list[str]:
    """The same-origin pages reachable by links from ``/``, one per route, in visiting order;
    ``on_page(path)`` is called on each page as it is reached, before its links are read.

    Only the ``projects`` named are walked: other e2e tests of the session make projects of their
    own, which would make the walk as long as the session's history."""
    seen_routes: set[str] = set()
    queue, found = ["/"], []
    while queue and len(found) < MAX_PAGES:
        path = queue.pop(0)
        if route_of(path) in seen_routes:
            continue
        seen_routes.add(route_of(path))
        page.goto(base + path)
        page.wait_for_load_state("load")
        found.append(path)
        on_page(path)
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)"
        )
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != base or NOT_PAGES.search(parts.path):
                continue
            project = re.match(r"/p/([^/]+)", parts.path)
            if project and project.group(1) not in projects:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if route_of(target) not in seen_routes:
                queue.append(target)
    assert len(found) < MAX_PAGES, f"the crawl did not end: {found}"
    return found


def page_width(page) -> int:
    """The page's width in CSS pixels: wider than the window means horizontal scrolling."""
    return page.evaluate("() => document.documentElement.scrollWidth")


def widest_elements(page) -> list[str]:
    """The elements that stick out to the right of the window, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(0, 3)
          .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
                    + `${e.className && typeof e.className === 'string'
                         ? '.' + e.className.trim().split(/\\s+/).join('.') : ''}`
                    + ` ${Math.round(e.getBoundingClientRect().right)}px`)"""
    )


class InFlight:
    """The page's requests not yet answered. Playwright's ``networkidle`` waits 500 ms of quiet
    after every page; this waits only until what the page asked for has come back."""

    def __init__(self, page):
        self.requests: set = set()
        page.on("request", lambda request: self.requests.add(request))
        page.on("requestfinished", lambda request: self.requests.discard(request))
        page.on("requestfailed", lambda request: self.requests.discard(request))

    def settle(self, page) -> None:
        """Return once two looks 25 ms apart find nothing in flight (a script that fetches as the
        page loads has started by then); a request that never ends fails on the time-out."""
        page.wait_for_load_state("load")
        quiet = 0
        while quiet < 2:
            if self.requests:
                quiet = 0
                next(iter(self.requests)).response()  # waits for it, bounded by the time-out
            else:
                quiet += 1
                page.wait_for_timeout(25)


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now, one readable line each."""
    # Evaluated through the DevTools protocol, as Playwright's own scripts are: an injected <script>
    # tag (add_script_tag) is inline, and the app's CSP (script-src 'self') rightly refuses it.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => `${v.id} (${v.impact}): ${v.help} at `"
        " + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', '))"
    )
    return results


@dataclasses.dataclass
class Crawl:
    """The pages each user reached (by name; ``None`` is nobody logged in), and what was wrong
    with them at 1280 px, found as they were reached."""

    paths: dict[str, list[str]]
    problems_at_desktop: list[str]


def check(page, name: str | None, path: str, viewport: dict) -> list[str]:
    """What is wrong with the page as it is now: axe-core's violations and, on a phone, a page
    wider than the screen; one line each, naming the user and the path."""
    problems = []
    if viewport is PHONE and (width := page_width(page)) > PHONE["width"]:
        problems.append(f"{name} {path}: {width} px wide; {widest_elements(page)}")
    return problems + [f"{name} {path}: {violation}" for violation in axe_violations(page)]


@pytest.fixture(scope="module")
def crawl(server, browser, tmp_path_factory) -> Crawl:
    """As lead and as ana: every page reachable from home, on the demo and on a project that has
    annotations from three annotators (so agreement and compare have content), each checked at
    1280 px as it is reached."""
    slug = make_project(
        server, tmp_path_factory.mktemp("every-page"), DOCUMENTS, annotators=("ana", "ben", "cleo")
    )
    result = Crawl(paths={}, problems_at_desktop=[])
    # gold on the first document, so the comparison's gold list (its selects, its table) is seen
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}/agreement")
    page.locator("#documents tbody tr a").first.click()
    page.click("#accept-agreed")
    page.wait_for_selector("#gold-list tbody tr select")
    context.close()
    for name in (None, "lead", "ana"):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        flight = InFlight(page)

        def on_page(path: str, name=name, page=page, flight=flight) -> None:
            flight.settle(page)
            result.problems_at_desktop.extend(check(page, name, path, DESKTOP))

        if name is None:
            paths = ["/login"]  # the one page of nobody logged in
            page.goto(server.url + "/login")
            on_page("/login")
        else:
            login(page, server, name, f"{name}-password")
            paths = pages_from_home(page, server.url, frozenset({"demo", slug}), on_page)
        if name == "lead":
            page.goto(server.url + "/no-such-page")
            on_page("/no-such-page")
            paths.append("/no-such-page")
        if name == "ana":
            # an annotator reaches a document through a button (a POST that assigns one)
            page.goto(f"{server.url}/p/demo")
            page.click("#next-document")
            page.wait_for_url(re.compile(r".*/p/demo/d/\d+$"))
            paths.append(urlsplit(page.url).path)
            on_page(paths[-1])
        result.paths[name] = paths
        context.close()
    return result


def test_the_crawl_reaches_the_pages_of_each_role(crawl):
    def routes(name):
        return {re.sub(r"^/p/[^/]+", "/p/*", route_of(path)) for path in crawl.paths[name]}

    routes_of_lead = routes("lead")
    for expected in (
        "/",
        "/p/*",
        "/p/*/d/N",
        "/p/*/agreement",
        "/p/*/compare/N",
        "/p/*/import",
        "/p/*/settings",
        "/p/*/dashboard",
        "/p/*/guidelines",
        "/admin/users",
    ):
        assert expected in routes_of_lead, f"{expected} not reached: {sorted(routes_of_lead)}"
    assert "/p/*/d/N" in routes("ana")


def test_every_page_passes_axe_core_at_1280px(crawl):
    """Checked by the crawl as it reached each page (the same visit, not another)."""
    assert (AXE / "axe.min.js").exists(), "axe-core is missing: run `make test-deps`"
    assert sum(map(len, crawl.paths.values())) >= 20, crawl.paths
    assert not crawl.problems_at_desktop, "\n".join(crawl.problems_at_desktop)


def test_every_page_passes_axe_core_and_fits_a_phone_without_horizontal_scrolling_at_390px(
    new_page, server, crawl
):
    """Each page the crawl reached, visited again at 390 px, each user in their own context."""
    problems = []
    for name, paths in crawl.paths.items():
        page = new_page(viewport=PHONE)
        flight = InFlight(page)
        if name:
            login(page, server, name, f"{name}-password")
        for path in paths:
            page.goto(server.url + path)
            flight.settle(page)
            problems += check(page, name, path, PHONE)
    assert not problems, "\n".join(problems)
