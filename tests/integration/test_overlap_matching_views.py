"""The "ab" case through the command line, the agreement page and the comparison view, on both
databases: every place shows overlap F1 1.0 and disagreement 0 (see test_overlap_matching.py).

Document "ab", finished by ann and bob: ann marks claim [0, 2) and [0, 1), bob claim [0, 2) and
[1, 2). A maximum matching pairs ann [0, 1)-bob [0, 2) and ann [0, 2)-bob [1, 2).
"""

from __future__ import annotations

import json
import re

import pytest

from annotator.agreement import inputs

AB = {
    "id": "ab",
    "title": "Two letters",
    "text": "ab",
    "annotators": [{"annotator": name, "status": "done"} for name in ("ann", "bob")],
    "annotations": [
        {"annotator": "ann", "label": "claim", "start": 0, "end": 2},
        {"annotator": "ann", "label": "claim", "start": 0, "end": 1},
        {"annotator": "bob", "label": "claim", "start": 0, "end": 2},
        {"annotator": "bob", "label": "claim", "start": 1, "end": 2},
    ],
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    inputs.clear_cache()
    yield
    inputs.clear_cache()


@pytest.fixture
def manager(world):
    for name in ("mia", "ann", "bob"):
        world.user(name)
    world.project("ab", manager="mia", annotators=["ann", "bob"], overlap=2)
    world.import_jsonl("ab", [AB])
    return world.client("mia")


def test_cli_json_gives_overlap_f1_one_and_no_disagreement(manager, runner):
    result = runner.invoke(args=["agreement", "ab", "--json", "--bootstrap", "0"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (pair,) = report["pairwise"]
    assert (pair["overlap_f1"], pair["exact_f1"]) == (1.0, 0.5)
    assert pair["breakdown"]["claim"] == {
        "exact": 0,
        "boundary": 2,
        "label": 0,
        "only_a": 0,
        "only_b": 0,
        "missing_a": 0,
        "missing_b": 0,
    }
    (ranked,) = report["documents_by_disagreement"]
    assert (ranked["external_id"], ranked["disagreement"]) == ("ab", 0.0)


def test_agreement_page_shows_overlap_f1_one_and_disagreement_zero(manager):
    html = manager.get("/p/ab/agreement").get_data(as_text=True)
    cell = re.search(r'data-a="ann" data-b="bob">.*?</td>', html, re.S).group(0)
    assert '<span class="agree-main">1.000</span>' in cell and "exact 0.500" in cell
    documents = html[html.index('id="documents"') :]
    assert re.search(r'class="disagree-0">0\.000</td>', documents)


def test_spans_behind_the_figure_are_two_boundary_pairs_and_no_lone_span(manager):
    html = manager.get(
        "/p/ab/agreement/spans?a=ann&b=bob", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert html.count('data-kind="boundary"') == 2
    assert html.count('data-kind="') == 2


def test_comparison_view_shows_the_same_figures_and_no_missing_span(manager):
    page = manager.get("/p/ab/compare/1").get_data(as_text=True)
    figures = page[page.index('id="document-agreement"') :].split("</p>")[0]
    assert '<strong class="document-disagreement">0.000</strong>' in figures
    assert "ann · bob overlap F1 1.000, exact F1 0.500" in figures
    assert 'class="region boundary"' in page
    counts = page[page.index('class="pair-counts"') :].split("</p>")[0]
    assert "2 different boundary" in counts and "0 only ann" in counts and "0 only bob" in counts
