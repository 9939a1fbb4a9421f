"""Annotators against gold through the agreement page, its CSV download and ``annotator
agreement --json``: the hand-computed figures of test_gold_quality.py, from one function."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from annotator.agreement import inputs

TEXT = "abcdefghij" * 10  # 100 code points


def item(label: str, start: int, end: int, annotator: str | None = None) -> dict:
    found = {"label": label, "start": start, "end": end}
    return found | ({"annotator": annotator} if annotator else {})


@pytest.fixture(autouse=True)
def _fresh_cache():
    inputs.clear_cache()
    yield
    inputs.clear_cache()


@pytest.fixture
def lead(world):
    """d1: gold imported (adjudicated); d2: ana and ben finished it, gold drawn by nobody."""
    for name in ("lead", "ana", "ben"):
        world.user(name)
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    ana = [
        item("claim", 0, 10, "ana"),
        item("claim", 22, 30, "ana"),
        item("evidence", 60, 70, "ana"),
    ]
    ben = [
        item("claim", 0, 10, "ben"),
        item("claim", 20, 30, "ben"),
        item("evidence", 40, 50, "ben"),
        item("attribution", 80, 90, "ben"),
    ]
    world.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": ana + ben,
                "gold": [item("claim", 0, 10), item("claim", 20, 30), item("evidence", 40, 50)],
            },
            {"id": "d2", "text": TEXT, "annotations": [item("evidence", 50, 60, "ana")]},
        ],
    )
    return world.client("lead")


def _json(runner) -> dict:
    result = runner.invoke(args=["agreement", "news", "--json", "--bootstrap", "1000"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _csv(lead) -> list[dict]:
    answer = lead.get("/p/news/agreement.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_cli_json_gives_each_annotators_hand_computed_figures_against_gold(lead, runner):
    found = _json(runner)["vs_gold"]
    assert set(found) == {"ana", "ben"}
    ana = found["ana"]
    assert ana["documents"] == 1  # d2 is not adjudicated
    assert ana["micro"]["exact"]["f1"] == pytest.approx(1 / 3)
    assert ana["micro"]["overlap"]["f1"] == pytest.approx(2 / 3)
    assert ana["per_label"]["claim"]["overlap"]["recall"] == 1.0
    ben = found["ben"]["micro"]["exact"]
    assert (ben["precision"], ben["recall"], ben["f1"]) == pytest.approx((3 / 4, 1.0, 6 / 7))


def test_page_shows_the_figures_against_gold_with_a_micro_average(lead):
    html = lead.get("/p/news/agreement").get_data(as_text=True)
    table = html[html.index('id="vs-gold"') :].split("</table>")[0]
    micro = table[table.index('data-annotator="ana" data-label="all labels"') :].split("</tr>")[0]
    assert re.search(r'data-measure="exact_f1">0\.333', micro)
    assert re.search(r'data-measure="overlap_f1">0\.667', micro)
    assert "interval needs 2+ documents" in micro  # one adjudicated document


def test_csv_holds_every_figure_of_the_page_as_the_json_gives_it(lead, runner):
    rows = _csv(lead)
    report = _json(runner)
    assert {row["section"] for row in rows} >= {
        "pairwise",
        "breakdown",
        "per_label",
        "documents",
        "vs_gold",
    }
    micro = next(
        row
        for row in rows
        if (row["section"], row["a"], row["label"], row["measure"])
        == ("vs_gold", "ben", "(micro)", "exact_f1")
    )
    assert float(micro["value"]) == report["vs_gold"]["ben"]["micro"]["exact"]["f1"]
    (pair,) = report["pairwise"]
    overlap = next(
        row
        for row in rows
        if (row["section"], row["label"], row["measure"]) == ("pairwise", "(all)", "overlap_f1")
    )
    assert float(overlap["value"]) == pair["overlap_f1"]


def test_page_csv_and_cli_take_their_figures_from_one_function(lead, runner, monkeypatch):
    """Whatever `inputs.agreement` says is what all three show."""
    original = inputs.agreement
    calls = []

    def marked(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(kwargs.get("bootstrap"))
        result.report["vs_gold"]["ana"]["micro"]["exact"]["f1"] = 0.123456
        return result

    monkeypatch.setattr(inputs, "agreement", marked)
    html = lead.get("/p/news/agreement").get_data(as_text=True)
    micro = html[html.index('data-annotator="ana" data-label="all labels"') :].split("</tr>")[0]
    assert 'data-measure="exact_f1">0.123' in micro
    row = next(
        r
        for r in _csv(lead)
        if (r["section"], r["a"], r["label"], r["measure"])
        == ("vs_gold", "ana", "(micro)", "exact_f1")
    )
    assert row["value"] == "0.123456"
    assert _json(runner)["vs_gold"]["ana"]["micro"]["exact"]["f1"] == 0.123456
    assert len(calls) == 3


def test_marking_a_document_adjudicated_brings_it_into_the_figures(lead, runner):
    assert _json(runner)["vs_gold"]["ana"]["documents"] == 1
    before = lead.get("/p/news/agreement").get_data(as_text=True)  # cached from here
    assert "<td>1</td>" in before[before.index('data-annotator="ana" data-label="all labels"') :]
    lead.post("/p/news/compare/2/adjudication", data={"status": "adjudicated"})
    ana = _json(runner)["vs_gold"]["ana"]
    assert ana["documents"] == 2
    # d2's gold is empty: ana's evidence there is one more span gold does not have
    assert ana["micro"]["exact"]["precision"] == pytest.approx(1 / 4)
    html = lead.get("/p/news/agreement").get_data(as_text=True)
    micro = html[html.index('data-annotator="ana" data-label="all labels"') :].split("</tr>")[0]
    assert "<td>2</td>" in micro  # the page's cached report was recomputed


def test_figures_against_gold_show_even_where_no_two_annotators_overlap(world):
    """overlap 1: ana alone finished the document whose gold came with the import."""
    for name in ("lead", "ana"):
        world.user(name)
    world.project("solo", manager="lead", annotators=["ana"], overlap=1)
    world.import_jsonl(
        "solo",
        [
            {
                "id": "s1",
                "text": TEXT,
                "annotations": [item("claim", 0, 10, "ana")],
                "gold": [item("claim", 0, 10), item("claim", 20, 30)],
            }
        ],
    )
    html = world.client("lead").get("/p/solo/agreement").get_data(as_text=True)
    assert 'id="agreement-empty"' in html
    micro = html[html.index('data-annotator="ana" data-label="all labels"') :].split("</tr>")[0]
    assert re.search(r'data-measure="exact_precision">1\.000', micro)
    assert re.search(r'data-measure="exact_recall">0\.500', micro)
