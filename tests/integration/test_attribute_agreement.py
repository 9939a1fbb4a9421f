"""Agreement on typed span attributes over matched spans: in ``annotator agreement --json``, the
text report, the JSON API and the agreement page, with links to the disagreeing documents."""

from __future__ import annotations

import csv
import io
import json

import krippendorff
import pytest

TEXT = "Reuters said the talks failed, and TASS said they went well."


@pytest.fixture
def rated(world):
    world.user("boss")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="boss", annotators=["ana", "ben"], overlap=2)
    response = world.client("boss").post(
        "/p/news/settings",
        data={
            "action": "attributes",
            "label": "attribution",
            "attributes": "source_reliability (scale 1..5): unreliable | reliable\n"
            "verifiable (boolean)",
        },
        follow_redirects=True,
    )
    assert "Saved." in response.get_data(as_text=True)
    ratings = [(4, 5), (2, 2), (1, 3)]  # (ana, ben) per document
    world.import_jsonl(
        "news",
        [
            {
                "id": f"doc-{n}",
                "text": TEXT,
                "annotations": [
                    {"annotator": "ana", "label": "attribution", "start": 0, "end": 12,
                     "attributes": {"source_reliability": a, "verifiable": True}},
                    {"annotator": "ben", "label": "attribution", "start": 0, "end": 7,
                     "attributes": {"source_reliability": b, "verifiable": True}},
                ],
            }
            for n, (a, b) in enumerate(ratings)
        ],
    )  # fmt: skip
    return ratings


def test_an_ordinal_attribute_gets_ordinal_alpha_over_matched_spans_everywhere(
    world, runner, rated
):
    expected = krippendorff.alpha(
        reliability_data=[[a for a, _ in rated], [b for _, b in rated]],
        level_of_measurement="ordinal",
        value_domain=[1, 2, 3, 4, 5],
    )
    result = runner.invoke(args=["agreement", "news", "--json", "--bootstrap", "50"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["span_attributes"]
    reliability = figures["attribution.source_reliability"]
    assert (reliability["level"], reliability["units"]) == ("ordinal", 3)
    assert reliability["alpha"] == pytest.approx(expected)
    assert reliability["kappa"][0]["annotators"] == ["ana", "ben"]
    assert [ref["name"] for ref in reliability["disagreeing"]] == ["doc-0", "doc-2"]
    assert figures["attribution.verifiable"]["level"] == "nominal"
    assert figures["attribution.verifiable"]["disagreeing"] == []

    text = runner.invoke(args=["agreement", "news", "--bootstrap", "0"]).output
    assert "Span attributes (matched spans)" in text
    assert "attribution.source_reliability  ordinal" in text

    api = world.client("boss").get("/api/projects/news/agreement").json
    assert api["span_attributes"]["attribution.source_reliability"]["alpha"] == pytest.approx(
        expected
    )
    assert "questions" in api

    page = world.client("boss").get("/p/news/agreement").get_data(as_text=True)
    assert 'id="attribute-agreement"' in page and f"{expected:.3f}" in page
    first = reliability["disagreeing"][0]["id"]
    assert f'href="/p/news/compare/{first}"' in page


def test_annotators_do_not_see_attribute_agreement(world, rated):
    assert world.client("ana").get("/p/news/agreement").status_code in (403, 404)
    assert world.client("ana").get("/api/projects/news/agreement").status_code in (403, 404)


def test_the_csv_holds_every_figure_of_each_span_attribute(world, rated):
    rows = list(
        csv.DictReader(
            io.StringIO(world.client("boss").get("/p/news/agreement.csv").get_data(True))
        )
    )
    reliability = {
        row["measure"]: row
        for row in rows
        if (row["section"], row["label"]) == ("span_attributes", "attribution.source_reliability")
    }
    expected = krippendorff.alpha(
        reliability_data=[[a for a, _ in rated], [b for _, b in rated]],
        level_of_measurement="ordinal",
        value_domain=[1, 2, 3, 4, 5],
    )
    assert float(reliability["alpha"]["value"]) == pytest.approx(expected)
    assert (reliability["level"]["value"], reliability["units"]["value"]) == ("ordinal", "3")
    assert (reliability["kappa"]["a"], reliability["kappa"]["b"]) == ("ana", "ben")
    disagreeing = [
        row["document"]
        for row in rows
        if row["section"] == "span_attributes"
        and row["measure"] == "disagreeing"
        and row["label"] == "attribution.source_reliability"
    ]
    assert disagreeing == ["doc-0", "doc-2"]
