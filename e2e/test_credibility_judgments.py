"""Credibility judgments end to end (issue 16), as one scenario: the manager defines a 1–5
credibility question and an ordinal ``source_reliability`` on attribution; two annotators answer
the question and rate their attributions on two documents, and on the first one link the
attribution to one shared source (ana creates it from the popover, ben types two letters and
picks it); the agreement page shows ordinal alpha for both (as the ``krippendorff`` package
computes it) and the source links' agreement; the curator accepts the attribution (its gold span
names the source) and sets the gold answers in the curation view, with a click on an annotator's
answer and by entering one; and every export format holds the gold answers and the source."""

from __future__ import annotations

import json
from collections.abc import Callable

import krippendorff

from e2e.conftest import login
from e2e.test_every_page import axe_violations, page_width
from e2e.test_questions import define_credibility
from e2e.test_typed_attributes import define_attributes
from e2e.workspace_helpers import (
    ATTRIBUTION,
    CLAIM,
    SENTENCE,
    draw_attribution_and_claim,
    make_project,
    offer_source,
    open_next_document,
    open_popover,
    source_shown,
    wait_saved,
)

ATTRIBUTES = """source_type: named person, official body, media outlet, anonymous, document
source_reliability (scale 1..5): unreliable | reliable"""
#: annotator -> (credibility, source_reliability of the attribution) on the first and second
#: document handed out
JUDGMENTS = {"ana": [(4, 4), (2, 2)], "ben": [(5, 5), (2, 1)]}
SOURCE = "Reuters"
SHOWN = f"{SOURCE} (outlet)"


def create_source(page) -> None:
    """Ana: a new outlet from the attribution's popover, chosen with Enter."""
    page.select_option("#source-kind", "outlet")
    offer_source(page, SOURCE, f"Create “{SOURCE}”")
    page.press("#source-input", "Enter")


def pick_source(page) -> None:
    """Ben: two letters, then a click on the source ana made."""
    offer_source(page, SOURCE[:2].lower(), f"{SOURCE} · outlet").click()


#: annotator -> how they name the source of the first document's attribution
NAMING: dict[str, Callable] = {"ana": create_source, "ben": pick_source}


def judge(
    page, server, slug: str, credibility: int, reliability: int, name_source: Callable | None
) -> int:
    """Open the next document, mark the attribution and the claim, name the attribution's source
    (with ``name_source``, if given), rate it, answer the question, mark the document done; its
    id."""
    document_id = open_next_document(page, server, slug)
    spans = draw_attribution_and_claim(page, SENTENCE, ATTRIBUTION, CLAIM)
    open_popover(page, spans["attribution"])
    if name_source is not None:
        name_source(page)
        wait_saved(page)
        source_shown(page, spans["attribution"], f"source: {SHOWN}")
        assert page.inner_text("#source-chosen") == SHOWN
    group = page.locator("#popover .attribute-group:not([hidden])")
    group.locator(f'[data-field="source_reliability"] label:has-text("{reliability}")').click()
    wait_saved(page)
    page.keyboard.press("Escape")
    question = page.locator('#questions [data-question="credibility"]')
    question.get_by_label(str(credibility), exact=True).check()
    wait_saved(page)
    page.click("#mark-done")
    page.wait_for_url(lambda url: f"/d/{document_id}" not in url)
    return document_id


def export(page, server, slug: str, format_name: str) -> list[dict]:
    response = page.request.get(f"{server.url}/p/{slug}/export/download?format={format_name}")
    assert response.ok, response.text()
    return [json.loads(line) for line in response.text().splitlines() if line]


def attribution_sources(spans: list[dict]) -> list[str | None]:
    """The ``source`` of each attribution among ``spans`` (an export's spans or entities)."""
    return [span.get("source") for span in spans if span["label"] == "attribution"]


def alpha_shown(page, row: str) -> str:
    cells = page.locator(row).locator("td")
    assert cells.nth(1).inner_text() == "ordinal"
    return cells.nth(3).inner_text()


def test_credibility_judged_by_two_annotators_agreed_on_curated_and_exported(
    new_page, server, tmp_path
):
    documents = [{"id": f"cred-{n}", "title": f"Talks {n}", "text": SENTENCE} for n in (1, 2)]
    slug = make_project(server, tmp_path, documents, annotators=("ana", "ben"), overlap=2)
    lead = new_page()
    define_credibility(lead, server, slug)  # logs lead in
    define_attributes(lead, server, slug, "attribution", ATTRIBUTES)

    handed: dict[str, list[int]] = {}
    for name, judgments in JUDGMENTS.items():
        page = new_page()
        login(page, server, name, f"{name}-password")
        handed[name] = [
            judge(page, server, slug, *pair, NAMING[name] if n == 0 else None)
            for n, pair in enumerate(judgments)
        ]
    assert handed["ana"] == handed["ben"]  # both documents, in the same order
    first, second = handed["ana"]

    lead.goto(f"{server.url}/p/{slug}/agreement")
    for row, column in (
        ('tr[data-question="credibility"]', 0),
        ('tr[data-attribute-agreement="attribution.source_reliability"]', 1),
    ):
        data = [[pair[column] for pair in JUDGMENTS[name]] for name in ("ana", "ben")]
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal")
        assert alpha_shown(lead, row).startswith(f"{expected:.3f}")
    # the source links: both named Reuters on the first document, neither named one on the second
    cells = lead.locator('tr[data-source-agreement="attribution"] td')
    expected = krippendorff.alpha(reliability_data=[[1, 0], [1, 0]], level_of_measurement="nominal")
    assert cells.nth(1).inner_text() == "2"
    assert cells.nth(2).inner_text().startswith(f"{expected:.3f}")

    # the curator: ana's attribution into gold, its source with it; then ben's answer with one
    # click on the first document, 3 entered on the second
    lead.goto(f"{server.url}/p/{slug}/curate/{first}")
    lane = lead.locator('td.lane[data-lane="ana"] mark').filter(has_text=ATTRIBUTION)
    lane.first.click()
    lead.wait_for_selector(f'.decision-state .gold-source:has-text("source: {SOURCE}")')
    question = lead.locator('#gold-answers [data-question="credibility"]')
    assert "ana: 4" in question.inner_text() and "ben: 5" in question.inner_text()
    question.locator('button.take-answer[data-annotator="ben"]').click()
    lead.wait_for_selector('#gold-answers [data-question="credibility"] .in-gold:text-is("5")')
    assert "✓ ben: 5" in lead.locator('#gold-answers [data-question="credibility"]').inner_text()
    lead.goto(f"{server.url}/p/{slug}/curate/{second}")
    question = lead.locator('#gold-answers [data-question="credibility"]')
    question.locator("select[name=value]").select_option("3")
    question.get_by_role("button", name="Set gold").click()
    lead.wait_for_selector('#gold-answers [data-question="credibility"] .in-gold:text-is("3")')
    assert axe_violations(lead) == []
    lead.set_viewport_size({"width": 390, "height": 844})
    assert page_width(lead) <= 390

    # every export: the gold answers, and the source the gold attribution names (cred-1 only)
    gold = {"cred-1": 5, "cred-2": 3}
    named = {"cred-1": [SOURCE], "cred-2": []}
    native = export(lead, server, slug, "native")
    assert {
        line["id"]: [(a["question"], a["value"]) for a in line["gold_answers"]] for line in native
    } == {key: [("credibility", value)] for key, value in gold.items()}
    assert {line["gold_answers"][0]["curator"] for line in native} == {"lead"}
    assert {line["id"]: [s["name"] for s in line.get("sources", [])] for line in native} == named
    assert [s["kind"] for line in native for s in line.get("sources", [])] == ["outlet"]
    assert {line["id"]: attribution_sources(line["gold"]) for line in native} == named
    doccano = [
        line for line in export(lead, server, slug, "doccano") if line["annotator"] == "gold"
    ]
    assert {line["id"]: line["answers"]["credibility"] for line in doccano} == gold
    assert {line["id"]: attribution_sources(line.get("entities", [])) for line in doccano} == named
    prodigy = [
        line
        for line in export(lead, server, slug, "prodigy")
        if line["meta"]["annotator"] == "gold"
    ]
    assert {line["meta"]["id"]: line["answers"]["credibility"] for line in prodigy} == gold
    assert {line["meta"]["id"]: attribution_sources(line["spans"]) for line in prodigy} == named
    w3c = [
        line for line in export(lead, server, slug, "w3c") if line["creator"]["type"] == "Software"
    ]
    assert {
        line["target"].rsplit("/", 1)[1]: line["body"][0]["value"]
        for line in w3c
        if line.get("motivation") == "classifying"
    } == {key: f"credibility: {value}" for key, value in gold.items()}
    identifying = [
        (line["target"]["source"].rsplit("/", 1)[1], body["value"])
        for line in w3c
        if isinstance(line["target"], dict) and "selector" in line["target"]
        for body in line["body"]
        if body["purpose"] == "identifying" and body["type"] == "TextualBody"
    ]
    assert identifying == [("cred-1", SOURCE)]

    # both documents adjudicated: the answers are scored against the gold answers (5 and 3)
    for document in (first, second):
        lead.goto(f"{server.url}/p/{slug}/compare/{document}")
        lead.click("#mark-adjudicated")
        lead.wait_for_selector("#mark-adjudicated", state="detached")
    lead.set_viewport_size({"width": 1280, "height": 900})
    lead.goto(f"{server.url}/p/{slug}/agreement")
    rows = {
        row.get_attribute("data-annotator"): [cell.inner_text() for cell in row.locator("td").all()]
        for row in lead.locator('#answers-vs-gold tr[data-question="credibility"]').all()
    }
    # ana: 4 and 2 against 5 and 3; ben: 5 and 2
    assert rows == {
        "ana": ["credibility", "ana", "2", "0", "0.000", "1.000"],
        "ben": ["credibility", "ben", "2", "1", "0.500", "0.500"],
    }
    assert axe_violations(lead) == []
    lead.set_viewport_size({"width": 390, "height": 844})
    assert page_width(lead) <= 390
