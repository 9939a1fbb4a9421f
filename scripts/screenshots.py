"""Regenerate the screenshots in docs/screenshots/ from the demo (run from the repository root).

.venv/bin/python scripts/screenshots.py          # all of them
.venv/bin/python scripts/screenshots.py arcs     # only the link arcs and label tags (1280, 390 px)
                                                 # and the comparison page's gold arcs
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from e2e.conftest import login  # noqa: E402
from e2e.workspace_helpers import drag_select, wait_saved  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.server import Gunicorn as Server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def annotated_copy(server: Server, folder: Path) -> None:
    """Import a copy of the grain-talks article annotated by ana and ben, for the views."""
    articles = (ROOT / "annotator" / "demo_data" / "articles.jsonl").read_text("utf-8").splitlines()
    text = json.loads(articles[3])["text"]

    def span(annotator, label, phrase):
        start = text.index(phrase)
        return {"annotator": annotator, "label": label, "start": start, "end": start + len(phrase)}

    document = {
        "id": "grain-annotated",
        "title": "Grain talks (annotated by ana and ben)",
        "text": text,
        "annotations": [
            span("ana", "attribution", "Turkey's foreign ministry said"),
            span("ben", "attribution", "Turkey's foreign ministry said"),
            span("ana", "claim", 'Russia had "blocked every proposal"'),
            span("ben", "claim", 'Russia had "blocked every proposal"'),
            span("ana", "evidence", "posted a photo of idle ships 🚢🚢 at Odesa"),
            span("ben", "evidence", "a photo of idle ships 🚢🚢 at Odesa"),
            span("ana", "attribution", "The state agency RIA quoted her as writing"),
            span("ana", "attribution", "RIA"),
            span("ana", "claim", 'Kyiv was "sabotaging the talks"'),
            span("ben", "evidence", 'Kyiv was "sabotaging the talks"'),
            span("ben", "evidence", "Shipping data from the monitoring firm Seaview"),
        ],
    }
    path = folder / "annotated.jsonl"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    server.cli("import", "demo", str(path))


def linked_copy(server: Server, folder: Path) -> None:
    """Import a copy of the bridge-budget article with ana's spans and the links between them."""
    articles = (ROOT / "annotator" / "demo_data" / "articles.jsonl").read_text("utf-8").splitlines()
    text = json.loads(articles[2])["text"]
    spans = {
        "council": ("attribution", "the city council insisted on Monday"),
        "open": ("claim", "The new river bridge will open in September as planned"),
        "weber": ("attribution", "Deputy mayor Jonas Weber told a press conference"),
        "milestones": ("claim", '"every milestone has been met"'),
        "minutes": ("evidence", "minutes of a May meeting of the project board"),
        "late": ("evidence", 'the steel deliveries were "at least ten weeks late"'),
        "engineers": ("attribution", "Two engineers working on the site"),
        "unrealistic": ("claim", 'the September date was "not realistic"'),
    }
    links = [
        ("attributed_to", "open", "council"),
        ("attributed_to", "milestones", "weber"),
        ("refutes", "late", "milestones"),
        ("refutes", "minutes", "open"),
        ("attributed_to", "unrealistic", "engineers"),
        ("supports", "late", "unrealistic"),
    ]
    document = {
        "id": "bridge-linked",
        "title": "Bridge budget (links drawn as arcs)",
        "text": text,
        "annotations": [
            {
                "id": key,
                "annotator": "ana",
                "label": label,
                "start": text.index(phrase),
                "end": text.index(phrase) + len(phrase),
            }
            for key, (label, phrase) in spans.items()
        ],
        "relations": [
            {"annotator": "ana", "type": kind, "source": source, "target": target}
            for kind, source, target in links
        ],
        # the same as gold, for the comparison page's gold text with its arcs
        "gold": [
            {
                "id": key,
                "label": label,
                "start": text.index(phrase),
                "end": text.index(phrase) + len(phrase),
            }
            for key, (label, phrase) in spans.items()
        ],
        "gold_relations": [
            {"type": kind, "source": source, "target": target} for kind, source, target in links
        ],
    }
    path = folder / "linked.jsonl"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    server.cli("import", "demo", str(path))


def arcs_shots(browser, server: Server) -> None:
    """The link arcs and label tags on ana's linked document, at 1280 and 390 px wide."""
    for width, name in ((1280, "workspace-arcs.png"), (390, "workspace-arcs-390.png")):
        page = browser.new_page(viewport={"width": width, "height": 820 if width > 400 else 844})
        login(page, server, "lead", "lead-password")
        page.goto(f"{server.url}/p/demo")
        link = page.locator("a", has_text="Bridge budget (links drawn as arcs)").first
        document_id = re.findall(r"\d+", link.get_attribute("href") or "")[-1]
        page.goto(f"{server.url}/p/demo/d/{document_id}?annotator=ana")
        page.wait_for_selector("#arcs g.arc")
        page.wait_for_timeout(300)
        if width < 400:
            page.locator("#text").scroll_into_view_if_needed()
        first = page.locator("#text mark").first.bounding_box()
        page.mouse.move(
            first["x"] + 20, first["y"] + first["height"] / 2
        )  # hover: its links light up
        page.wait_for_timeout(100)
        page.screenshot(path=str(OUT / name))
        if width > 400:  # the gold links over the gold text of the comparison page
            page.goto(f"{server.url}/p/demo/compare/{document_id}")
            page.wait_for_selector(".gold-arcs g.arc")
            page.locator("#gold-text").scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / "compare-arcs.png"))
        page.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="annotator-shots-"))
    server = Server(folder)
    server.cli("demo", "--no-serve")
    annotated_copy(server, folder)
    linked_copy(server, folder)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            arcs_shots(browser, server)
            if sys.argv[1:] == ["arcs"]:
                return
            page = browser.new_page(viewport={"width": 1360, "height": 820})
            login(page, server, "lead", "lead-password")
            page.goto(f"{server.url}/p/demo/d/5?annotator=ana")
            page.screenshot(path=str(OUT / "workspace-nested.png"))
            page.goto(f"{server.url}/p/demo/compare/5")
            page.screenshot(path=str(OUT / "compare.png"), full_page=True)
            page.goto(f"{server.url}/p/demo")
            page.screenshot(path=str(OUT / "project.png"))

            annotator = browser.new_page(viewport={"width": 1360, "height": 820})
            login(annotator, server, "ana", "ana-password")
            annotator.goto(f"{server.url}/p/demo")
            annotator.click("#next-document")
            annotator.wait_for_selector("#text")
            text = annotator.evaluate("document.getElementById('text').textContent")
            for phrase, key in (("the port authority said", "3"), ("caused by faulty wiring", "1")):
                start = text.index(phrase)
                drag_select(annotator, text, start, start + len(phrase))
                annotator.keyboard.press(key)
                wait_saved(annotator)
            annotator.wait_for_timeout(300)
            annotator.screenshot(path=str(OUT / "workspace.png"))
            start = text.index("Maria Okafor")
            drag_select(annotator, text, start, start + len("Maria Okafor"))
            annotator.screenshot(path=str(OUT / "workspace-toolbar.png"))
            browser.close()
    finally:
        server.stop()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
