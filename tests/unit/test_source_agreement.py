"""Agreement on source links over overlap-matched attribution spans: a span naming no source is
the value "no source", the figures agree with a hand-worked example and with the
``krippendorff`` package, and the disagreeing documents are named."""

from __future__ import annotations

import krippendorff
import pytest

from annotator.agreement.matching import Span
from annotator.agreement.sources import source_agreement


def span(document: str, annotator: str, start: int, label: str = "attribution") -> Span:
    return Span(document, annotator, label, start, start + 10, f"{annotator}-{document}-{start}")


# (document, start) -> the source each of ana and ben named ("" : none)
WORKED = {("d1", 0): ("Reuters", "Reuters"), ("d1", 40): ("TASS", "TASS"),
          ("d2", 0): ("Reuters", ""), ("d3", 0): ("", "")}  # fmt: skip


def spans_and_names(table, annotators=("ana", "ben")):
    spans, named = [], {}
    for (document, start), sources in table.items():
        for name, source in zip(annotators, sources, strict=True):
            if source is None:
                continue
            item = span(document, name, start + (1 if name == "ben" else 0))
            spans.append(item)
            if source:
                named[item.id] = source
    return spans, named


def test_hand_worked_example_gives_two_thirds_alpha_and_seven_elevenths_kappa():
    # Values R R | T T | R none | none none: o(R,none) = o(none,R) = 1, n = 8 with n_R = 3,
    # n_T = 2, n_none = 3; alpha = 1 - (n - 1) * 2 / (64 - 9 - 4 - 9) = 1 - 14/42 = 2/3.
    # Kappa: p_o = 3/4, p_e = (2*1 + 1*1 + 1*2) / 16 = 5/16, (3/4 - 5/16) / (11/16) = 7/11.
    spans, named = spans_and_names(WORKED)
    figures = source_agreement(spans, named, ["attribution"])["attribution"]
    assert figures["level"] == "nominal" and figures["units"] == 4
    assert figures["alpha"] == pytest.approx(2 / 3)
    (pair,) = figures["kappa"]
    assert pair["annotators"] == ["ana", "ben"] and pair["kappa"] == pytest.approx(7 / 11)
    assert figures["disagreeing"] == ["d2"]


def test_three_annotators_with_a_missing_span_agree_with_the_krippendorff_package():
    table = {
        ("d1", 0): ("Reuters", "Reuters", "Reuters"),
        ("d1", 40): ("TASS", "TASS", ""),
        ("d2", 0): ("Reuters", None, "Reuters"),  # ben marked nothing there: missing
        ("d2", 40): ("Interfax", "TASS", "Interfax"),
        ("d3", 0): ("", "", "TASS"),
    }
    spans, named = spans_and_names(table, ("ana", "ben", "cy"))
    figures = source_agreement(spans, named, ["attribution"], bootstrap=200, seed=1)["attribution"]
    codes = {"": 0, "Reuters": 1, "TASS": 2, "Interfax": 3}
    data = [
        [float("nan") if values[k] is None else codes[values[k]] for values in table.values()]
        for k in range(3)
    ]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert figures["alpha"] == pytest.approx(expected)
    low, high = figures["alpha_interval"]
    assert low <= figures["alpha"] <= high
    assert sorted(figures["disagreeing"]) == ["d1", "d2", "d3"]


def test_only_the_given_labels_are_compared_and_nobody_linking_gives_no_figure():
    spans = [span("d1", "ana", 0), span("d1", "ben", 1), span("d1", "ana", 30, "claim")]
    figures = source_agreement(spans, {}, ["attribution"])
    assert list(figures) == ["attribution"]
    assert figures["attribution"]["units"] == 1
    assert figures["attribution"]["alpha"] is None  # every value is "no source": no variation
    assert figures["attribution"]["disagreeing"] == []


def test_nominal_bootstrap_alphas_equal_those_of_the_full_coincidence_matrices():
    import numpy as np

    from annotator.agreement import questions

    rng = np.random.default_rng(3)
    groups = [
        [
            list(rng.choice(list("abcde"), size=rng.integers(2, 5)))
            for _ in range(rng.integers(1, 4))
        ]
        for _ in range(12)
    ]
    groups[0] = [["a", "a"]]  # a draw of only this group has no variation: undefined
    categories = sorted({value for units in groups for values in units for value in values})
    picks = rng.integers(0, len(groups), size=(200, len(groups)))
    picks[0] = 0
    per_group = questions._coincidences(groups, categories)
    full = [questions.alpha_of(per_group[row].sum(0), categories, "nominal") for row in picks]
    fast = questions._nominal_alphas(groups, categories, picks)
    assert fast[0] is None and full[0] is None
    assert fast == pytest.approx(full)
