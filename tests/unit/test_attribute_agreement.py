"""Agreement on typed span attributes over overlap-matched spans: the level follows the kind, the
figures agree with the ``krippendorff`` package on the same units, and the disagreeing documents
are named."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from annotator.agreement.attributes import attribute_agreement, matched_units
from annotator.agreement.matching import Span
from annotator.annotation.definitions import parse_attribute_lines

DEFINITIONS = {
    "attribution": parse_attribute_lines(
        "reliability (scale 1..5): low | high\nverifiable (boolean)\n"
        "topics (multiple): politics, health\nparaphrase (text)\nsource_type: person, outlet"
    ),
    "claim": [],
}


def span(document, annotator, start, end, label="attribution", **values):
    return Span(document, annotator, label, start, end, f"{annotator}-{document}-{start}", values)


# Three annotators, three documents; each marks the same sources with slightly different bounds.
RELIABILITY = {  # (document, start) -> ana, ben, cy
    ("d1", 0): (5, 4, 5),
    ("d1", 40): (1, 2, 1),
    ("d2", 0): (3, 3, None),
    ("d3", 10): (2, 5, 4),
}
SPANS = [
    span(document, name, start + shift, start + 20 + shift, reliability=value)
    if value is not None
    else span(document, name, start + shift, start + 20 + shift)
    for (document, start), values in RELIABILITY.items()
    for name, shift, value in zip(("ana", "ben", "cy"), (1, 3, 0), values, strict=True)
]


def test_spans_that_overlap_across_annotators_form_one_unit_each():
    units = matched_units(SPANS, "attribution")
    assert sorted((unit[0], sorted(members)) for unit, members in units.items()) == [
        ("d1", ["ana", "ben", "cy"]),
        ("d1", ["ana", "ben", "cy"]),
        ("d2", ["ana", "ben", "cy"]),
        ("d3", ["ana", "ben", "cy"]),
    ]


def test_an_ordinal_attribute_gets_ordinal_alpha_as_the_krippendorff_package_computes_it():
    figures = attribute_agreement(SPANS, DEFINITIONS)["attribution.reliability"]
    data = np.array(
        [[values[k] if values[k] is not None else np.nan for values in RELIABILITY.values()]
         for k in range(3)],
        dtype=float,
    )  # fmt: skip
    expected = krippendorff.alpha(
        reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )
    assert figures["level"] == "ordinal" and figures["weights"] == "quadratic"
    assert figures["alpha"] == pytest.approx(expected)
    assert figures["units"] == 4
    assert {tuple(pair["annotators"]) for pair in figures["kappa"]} == {
        ("ana", "ben"),
        ("ana", "cy"),
        ("ben", "cy"),
    }
    assert figures["disagreeing"][0] in ("d1", "d3") and "d2" not in figures["disagreeing"]


def test_bootstrap_interval_resamples_documents_and_brackets_alpha():
    figures = attribute_agreement(SPANS, DEFINITIONS, bootstrap=200, seed=1)
    low, high = figures["attribution.reliability"]["alpha_interval"]
    assert low <= figures["attribution.reliability"]["alpha"] <= high


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("verifiable", "nominal"),
        ("topics", "nominal"),
        ("source_type", "nominal"),
        ("paraphrase", None),
    ],
)
def test_every_attribute_has_the_level_of_its_kind(name, level):
    spans = [
        span("d1", "ana", 0, 10, verifiable=True, topics=["politics"], source_type="person"),
        span("d1", "ben", 1, 10, verifiable=False, topics=["politics", "health"], paraphrase="x"),
        span("d2", "ana", 0, 10, verifiable=True, topics=["health"], source_type="outlet"),
        span("d2", "ben", 0, 12, verifiable=True, topics=["health"], source_type="outlet"),
    ]
    figures = attribute_agreement(spans, DEFINITIONS)[f"attribution.{name}"]
    assert figures["level"] == level
    if level is None:
        assert figures["alpha"] is None and figures["disagreeing"] == []


def test_several_choices_count_one_yes_no_unit_per_choice():
    spans = [
        span("d1", "ana", 0, 10, topics=["politics"]),
        span("d1", "ben", 0, 10, topics=["politics", "health"]),
        span("d2", "ana", 0, 10, topics=["health"]),
        span("d2", "ben", 0, 10, topics=["health"]),
    ]
    figures = attribute_agreement(spans, DEFINITIONS)["attribution.topics"]
    assert figures["units"] == 4  # two matched spans x two choices
    data = [[1, 0, 0, 1], [1, 1, 0, 1]]  # (d1 politics, d1 health, d2 politics, d2 health)
    assert figures["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert figures["disagreeing"] == ["d1"]


def test_spans_nobody_else_matched_are_not_compared():
    spans = [span("d1", "ana", 0, 10, reliability=3), span("d1", "ben", 30, 40, reliability=3)]
    figures = attribute_agreement(spans, DEFINITIONS)["attribution.reliability"]
    assert figures["units"] == 0 and figures["alpha"] is None


def test_the_nominal_figures_of_the_span_report_take_lists_and_booleans():
    from annotator.agreement.links import attribute_alpha, attribute_kappa

    ana = [span("d1", "ana", 0, 10, topics=["politics"], verifiable=False)]
    ben = [span("d1", "ben", 0, 10, topics=["politics"], verifiable=False)]
    assert attribute_kappa(ana, ben, "attribution", "topics").agreed == 1
    assert attribute_alpha(ana + ben, "attribution", "verifiable")[1] == 1
