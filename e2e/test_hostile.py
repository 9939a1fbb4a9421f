"""Script and markup typed into articles, titles, labels, notes and guidelines stay text."""

from __future__ import annotations

import json

from e2e.conftest import login

PAYLOAD = (
    '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=1;alert(2)</script>'
)
TEXT = f"Before {PAYLOAD} </article><svg onload=alert(3)> after the quote."


def test_hostile_markup_is_shown_as_text_everywhere(page, server, tmp_path):
    slug = "hostile"
    label = "<b onmouseover=alert(4)>claim</b>"
    server.cli("create-project", slug, "--manager", "lead", "--labels", f"{label},evidence")
    server.cli("add-member", slug, "ana", "--role", "annotator")
    path = tmp_path / "hostile.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "x<script>alert(5)</script>",
                "title": f"Title {PAYLOAD}",
                "url": "javascript:alert(6)",
                "meta": {"note": PAYLOAD},
                "text": TEXT,
                "annotations": [
                    {"annotator": "ana", "label": label, "start": 0, "end": 6, "note": PAYLOAD},
                    {"annotator": "ben", "label": "evidence", "start": 0, "end": 6},
                ],
            }
        ),
        "utf-8",
    )
    server.cli("import", slug, str(path))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}/settings")
    page.fill(
        "textarea[name=guidelines]",
        f'# Rules\n\n{PAYLOAD}\n\n[click](javascript:alert(7)) <a href="javascript:alert(8)">x</a>',
    )
    page.click("form:has(textarea[name=guidelines]) button.primary")

    page.goto(f"{server.url}/p/{slug}")
    link = page.locator("#documents a[href*='/compare/']").first.get_attribute("href")
    document_id = int(link.rsplit("/", 1)[1])
    pages = [
        f"/p/{slug}",
        f"/p/{slug}/guidelines",
        f"/p/{slug}/dashboard",
        f"/p/{slug}/agreement",
        f"/p/{slug}/compare/{document_id}",
        f"/p/{slug}/d/{document_id}?annotator=ana",
        f"/p/{slug}/settings",
        f"/p/{slug}/assignments",
        f"/p/{slug}/activity",
        f"/p/{slug}?q=Title&sort=title",
    ]
    for path_ in pages:
        answer = page.goto(server.url + path_)
        assert answer.status == 200, path_
        for mark in page.locator("mark[data-span]").all()[:2]:
            mark.hover()
        injected = page.evaluate(
            """() => ({
                pwned: window.__pwned === 1,
                inlineScripts: document.querySelectorAll('script:not([src])').length,
                images: document.querySelectorAll('img[src="x"]').length,
                svgs: document.querySelectorAll('svg[onload]').length,
                handlers: document.querySelectorAll('[onerror],[onmouseover],[onload]').length,
                jsLinks: Array.from(document.querySelectorAll('a[href]'))
                    .filter(a => a.href.startsWith('javascript:')).length,
            })"""
        )
        assert injected == {
            "pwned": False,
            "inlineScripts": 0,
            "images": 0,
            "svgs": 0,
            "handlers": 0,
            "jsLinks": 0,
        }, path_
    page.goto(f"{server.url}/p/{slug}/d/{document_id}?annotator=ana")
    assert "<script>" in page.inner_text("#text")  # shown, as text
    assert dialogs == []
