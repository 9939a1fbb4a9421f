"""A manager reads agreement, opens the most disputed document, adjudicates, and exports gold."""

from __future__ import annotations

import json

from e2e.conftest import login
from e2e.workspace_helpers import make_project

CALM = "The council approved the budget on Monday, the mayor said."
DISPUTED = "Reuters quoted Zakharova as writing that Kyiv was «саботирует переговоры» 🇺🇦 today."


def spans(text, *items):
    out = []
    for annotator, label, phrase in items:
        start = text.index(phrase)
        out.append(
            {"annotator": annotator, "label": label, "start": start, "end": start + len(phrase)}
        )
    return out


DOCUMENTS = [
    {
        "id": "calm",
        "title": "Budget approved",
        "text": CALM,
        "annotations": spans(
            CALM,
            *[
                (a, "claim", "The council approved the budget on Monday")
                for a in ("ana", "ben", "cleo")
            ],
            *[(a, "attribution", "the mayor said") for a in ("ana", "ben", "cleo")],
        ),
    },
    {
        "id": "disputed",
        "title": "Zakharova on the talks",
        "text": DISPUTED,
        "annotations": spans(
            DISPUTED,
            ("ana", "attribution", "Reuters quoted Zakharova as writing"),
            ("ben", "attribution", "Reuters quoted Zakharova as writing"),
            ("cleo", "attribution", "Zakharova as writing"),
            ("ana", "claim", "Kyiv was «саботирует переговоры»"),
            ("ben", "evidence", "Kyiv was «саботирует переговоры»"),
            ("cleo", "claim", "Kyiv was «саботирует переговоры» 🇺🇦"),
        ),
    },
]


def test_manager_adjudicates_the_most_disputed_document_and_the_export_has_the_gold(
    page, server, tmp_path
):
    slug = make_project(server, tmp_path, DOCUMENTS, annotators=("ana", "ben", "cleo"))
    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}/agreement")
    assert page.locator("#matrix").is_visible()
    assert "ana" in page.inner_text("#matrix") and "cleo" in page.inner_text("#matrix")

    # the most disputed document comes first; open its comparison
    first = page.locator("#documents tbody tr a").first
    assert first.inner_text() == "Zakharova on the talks"
    first.click()
    page.wait_for_selector("#regions")
    summary = page.inner_text(".compare-summary")
    assert "different label" in summary and "different boundary" in summary
    assert page.locator("tr.region.label").count() >= 1
    assert page.locator("tr.region.boundary").count() >= 1

    # accept the attribution two annotators agree on, in one action
    page.click("#accept-agreed")
    page.wait_for_selector("text=✓ in gold")
    # and accept cleo's claim by hand
    claim_row = page.locator("tr.region.label")
    claim_row.locator("td:nth-child(4) .mark-cell button.accept").click()
    page.wait_for_function("() => document.querySelectorAll('#gold-list tbody tr').length === 2")

    download = page.request.get(f"{server.url}/p/{slug}/export/download?format=native")
    assert download.ok
    lines = [json.loads(line) for line in download.text().splitlines()]
    gold = {
        (g["label"], g["text"]) for line in lines if line["id"] == "disputed" for g in line["gold"]
    }
    assert gold == {
        ("attribution", "Reuters quoted Zakharova as writing"),
        ("claim", "Kyiv was «саботирует переговоры» 🇺🇦"),
    }
