"""Regenerate the screenshots in docs/screenshots/ from the demo (run from the repository root).

.venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import json
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


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="annotator-shots-"))
    server = Server(folder)
    server.cli("demo", "--no-serve")
    annotated_copy(server, folder)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
