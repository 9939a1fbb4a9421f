"""Agreement on source links over matched attribution spans: in ``annotator agreement --json``
(``sources``), the text report, the JSON API, the CSV and the agreement page, with links to the
documents where annotators named different sources."""

from __future__ import annotations

import csv
import io
import json

import krippendorff
import pytest

from tests.support.sources import link_sources

TEXT = "Reuters said the talks failed, and TASS said they went well."
#: per document, the source ana and ben named on their attribution at 0 ("" : none)
NAMED = [("Reuters", "Reuters"), ("Reuters", "TASS"), ("TASS", "")]


@pytest.fixture
def linked(app, world):
    world.user("boss")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="boss", annotators=["ana", "ben"], overlap=2)
    world.import_jsonl(
        "news",
        [
            {
                "id": f"doc-{n}",
                "text": TEXT,
                "annotations": [
                    {"annotator": "ana", "label": "attribution", "start": 0, "end": 12},
                    {"annotator": "ben", "label": "attribution", "start": 0, "end": 7},
                ],
            }
            for n in range(len(NAMED))
        ],
    )
    links = {}
    for n, (ana, ben) in enumerate(NAMED):
        for name, source in (("ana", ana), ("ben", ben)):
            if source:
                links[(name, f"doc-{n}", 0)] = source
    link_sources(app, "news", links)
    codes = {"": 0, "Reuters": 1, "TASS": 2}
    return krippendorff.alpha(
        reliability_data=[[codes[a] for a, _ in NAMED], [codes[b] for _, b in NAMED]],
        level_of_measurement="nominal",
    )


def test_source_link_agreement_is_in_the_cli_api_csv_and_page(world, runner, linked):
    result = runner.invoke(args=["agreement", "news", "--json", "--bootstrap", "50"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["sources"]["attribution"]
    assert (figures["level"], figures["units"]) == ("nominal", 3)
    assert figures["alpha"] == pytest.approx(linked)
    assert figures["kappa"][0]["annotators"] == ["ana", "ben"]
    assert [ref["name"] for ref in figures["disagreeing"]] == ["doc-1", "doc-2"]

    text = runner.invoke(args=["agreement", "news", "--bootstrap", "0"]).output
    assert "Source links (matched spans)" in text

    boss = world.client("boss")
    api = boss.get("/api/projects/news/agreement").json
    assert api["sources"]["attribution"]["alpha"] == pytest.approx(linked)

    rows = list(csv.DictReader(io.StringIO(boss.get("/p/news/agreement.csv").get_data(True))))
    (alpha,) = [row for row in rows if row["section"] == "sources" and row["measure"] == "alpha"]
    assert alpha["label"] == "attribution" and float(alpha["value"]) == pytest.approx(linked)
    assert alpha["ci_low"] and alpha["ci_high"]
    assert [row["document"] for row in rows if row["measure"] == "disagreeing"] == [
        "doc-1",
        "doc-2",
    ]

    page = boss.get("/p/news/agreement").get_data(as_text=True)
    assert 'id="source-agreement"' in page and f"{linked:.3f}" in page
    first = figures["disagreeing"][0]["id"]
    assert f'href="/p/news/compare/{first}"' in page


def test_a_project_without_source_links_shows_no_source_section(world, runner, linked):
    world.project("plain", manager="boss", annotators=["ana", "ben"], overlap=2)
    page = world.client("boss").get("/p/plain/agreement").get_data(as_text=True)
    assert 'id="source-agreement"' not in page
    result = runner.invoke(args=["agreement", "plain", "--json", "--bootstrap", "0"])
    (figures,) = json.loads(result.output)["sources"].values()
    assert (figures["units"], figures["alpha"]) == (0, None)
