"""Credibility judgments end to end (issue 16): the manager defines a 1–5 credibility question and
an ordinal ``source_reliability`` on attribution, two annotators answer the question and rate
their attributions on two documents, the agreement page shows ordinal alpha for both (as the
``krippendorff`` package computes it), the curator sets the gold answers in the curation view,
with a click on an annotator's answer and by entering one, and every export format holds them."""

from __future__ import annotations

import json

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
    open_next_document,
    wait_saved,
)

ATTRIBUTES = """source_type: named person, official body, media outlet, anonymous, document
source_reliability (scale 1..5): unreliable | reliable"""
#: annotator -> (credibility, source_reliability of the attribution) on the first and second
#: document handed out
JUDGMENTS = {"ana": [(4, 4), (2, 2)], "ben": [(5, 5), (2, 1)]}


def judge(page, server, slug: str, credibility: int, reliability: int) -> int:
    """Open the next document, mark the attribution and the claim, rate the attribution, answer
    the question, mark the document done; its id."""
    document_id = open_next_document(page, server, slug)
    spans = draw_attribution_and_claim(page, SENTENCE, ATTRIBUTION, CLAIM)
    page.locator(f'#span-list li[data-span="{spans["attribution"]}"] button').click()
    page.wait_for_selector("#popover:not([hidden])")
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
        handed[name] = [judge(page, server, slug, *pair) for pair in judgments]
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

    # the curator: ben's answer with one click on the first document, 3 entered on the second
    lead.goto(f"{server.url}/p/{slug}/curate/{first}")
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

    gold = {"cred-1": 5, "cred-2": 3}
    native = {line["id"]: line["gold_answers"] for line in export(lead, server, slug, "native")}
    assert {key: [(a["question"], a["value"]) for a in value] for key, value in native.items()} == {
        key: [("credibility", value)] for key, value in gold.items()
    }
    assert {answers[0]["curator"] for answers in native.values()} == {"lead"}
    doccano = export(lead, server, slug, "doccano")
    assert {
        line["id"]: line["answers"]["credibility"]
        for line in doccano
        if line["annotator"] == "gold"
    } == gold
    prodigy = export(lead, server, slug, "prodigy")
    assert {
        line["meta"]["id"]: line["answers"]["credibility"]
        for line in prodigy
        if line["meta"]["annotator"] == "gold"
    } == gold
    w3c = [
        line
        for line in export(lead, server, slug, "w3c")
        if line.get("motivation") == "classifying" and line["creator"]["type"] == "Software"
    ]
    assert {line["target"].rsplit("/", 1)[1]: line["body"][0]["value"] for line in w3c} == {
        key: f"credibility: {value}" for key, value in gold.items()
    }
