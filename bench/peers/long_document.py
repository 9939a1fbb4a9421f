"""The long-document row of bench/peers/run.py: bench/workspace_bench.py's 50,000-character
document with 1,000 spans (many overlapping), the same text and spans in every tool, opened in
Chromium by a logged-in user; the time from navigation to the frame that shows its last highlight.

annotator renders the highlights on the server: its figure is workspace_bench's (the frame after
the parser has put the last ``mark`` in the page). Label Studio and doccano draw them in the
browser from JSON: their figure is the frame after every span has an element in the page.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import workspace_bench
from bench.workspace_bench import _LAST_HIGHLIGHT_OBSERVER, WARM_UPS, app_for, populate

SPANS = 1000
#: the user workspace_bench.populate makes, its password and its project
LONG_USER = LONG_PROJECT = "bench"
LONG_PASSWORD = workspace_bench.PASSWORD


@dataclass(frozen=True)
class LongDocument:
    """The document as annotator stored it: its text and spans (code points, half-open)."""

    text: str
    spans: list[tuple[int, int, str]]


def make_in_annotator(database_url: str) -> tuple[int, LongDocument]:
    """workspace_bench's document, spans and user in the database at ``database_url``; the
    document's id, and its text and spans (read back) for the peers."""
    from sqlalchemy import text  # noqa: PLC0415

    from annotator import db  # noqa: PLC0415

    app = app_for(database_url)
    try:
        document_id, body = populate(app, SPANS)
        with app.app_context():
            rows = db.session().execute(
                text(
                    'SELECT s.start, s."end", l.name FROM span s JOIN label l ON l.id = s.label_id '
                    'WHERE s.document_id = :d ORDER BY s.start, s."end"'
                ),
                {"d": document_id},
            )
            spans = [(start, end, label) for start, end, label in rows]
    finally:
        app.extensions["annotator.engine"].dispose()
    return document_id, LongDocument(body, spans)


#: Runs before a peer's scripts: every animation frame, count the spans that have an element in
#: the page: elements matching ``selector``, one span per distinct match of ``pattern`` in their
#: class attribute, or, for elements without one, one span per element of class ``each``. Each
#: time the count grows, note when that frame has been painted (as _LAST_HIGHLIGHT_OBSERVER does):
#: ``__grown``, and ``__lastHighlight`` once all ``expected`` are drawn.
_ALL_HIGHLIGHTS_OBSERVER = """
([selector, pattern, each, expected]) => {
  window.__lastHighlight = null;
  const span = new RegExp(pattern);
  const check = () => {
    const found = new Set();
    for (const element of document.querySelectorAll(selector)) {
      const match = (element.getAttribute('class') || '').match(span);
      if (match) found.add(match[0]);
      else if (each && element.classList.contains(each)) found.add(element);
    }
    if (found.size > (window.__highlightsFound || 0)) {
      const size = found.size;
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          window.__grown = {shown: performance.now(), spans: size};
          if (size >= expected) window.__lastHighlight = window.__grown;
        };
        channel.port2.postMessage(null);
      });
    }
    window.__highlightsFound = found.size;
    if (found.size < expected) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}
"""


def init_script(selector: str, pattern: str, each: str, expected: int) -> str:
    """_ALL_HIGHLIGHTS_OBSERVER called with its arguments, as a script for add_init_script."""
    import json  # noqa: PLC0415

    arguments = json.dumps([selector, pattern, each, expected])
    return f"({_ALL_HIGHLIGHTS_OBSERVER})({arguments});"


def annotator_script() -> str:
    return _LAST_HIGHLIGHT_OBSERVER


# WARM_UPS loads of the long document come before the timed ones, on every tool alike (see
# workspace_bench): with 3 timed loads and none before, the first two made annotator's median
# (0.34 s, where later loads took 0.25 s).


def time_loads(page, url: str, loads: int, within_ms: float = 120_000) -> float:
    """Median seconds from navigation to ``url`` to the frame that shows its last highlight,
    over ``loads`` loads in ``page`` (logged in, its init script added), after WARM_UPS loads
    not timed."""
    shown = []
    for _ in range(WARM_UPS + loads):
        page.goto(url)
        page.wait_for_function("() => window.__lastHighlight", timeout=within_ms)
        shown.append(page.evaluate("window.__lastHighlight.shown"))
    return statistics.median(shown[WARM_UPS:]) / 1000


def time_peer_loads(page, url: str, loads: int, settle: float = 15, within: float = 180) -> float:
    """As :func:`time_loads` for a peer's page (_ALL_HIGHLIGHTS_OBSERVER): when it draws fewer
    spans than it was given, the frame that drew the last of those it draws, once no more have
    come for ``settle`` seconds; how many it drew is printed. WARM_UPS loads first, not timed."""
    shown = []
    for _ in range(WARM_UPS + loads):
        page.goto(url)
        started = time.monotonic()
        grown, since = None, time.monotonic()
        while time.monotonic() - started < within:
            state = page.evaluate("({last: window.__lastHighlight, grown: window.__grown})")
            if state["last"]:
                grown = state["last"]
                break
            if state["grown"] != grown:
                grown, since = state["grown"], time.monotonic()
            elif grown and time.monotonic() - since > settle:
                print(f"{url}: {grown['spans']} spans drawn, no more for {settle} s", flush=True)
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{url}: no highlight drawn within {within} s")
        shown.append(grown["shown"])
    return statistics.median(shown[WARM_UPS:]) / 1000


def log_in(page, url: str, fields: dict[str, str], submit: str) -> None:
    """Fill the log-in form at ``url`` (selector → value) and wait for the page it leads to."""
    page.goto(url)
    for selector, value in fields.items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.click(submit)


def with_page(browser, script: str, work: Callable[[object], float]) -> float:
    """``work`` in a fresh page (its own cookies) of ``browser`` with ``script`` run first."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(script)
        return work(page)
    finally:
        context.close()
