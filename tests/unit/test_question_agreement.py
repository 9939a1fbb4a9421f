"""Agreement on document questions: alpha at each level of measurement against the
``krippendorff`` package and Krippendorff's published worked example, kappa against scikit-learn."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotator.agreement.questions import krippendorff_alpha, question_agreement, weighted_kappa

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of Pennsylvania,
# Annenberg School for Communication, Departmental Papers 43: the example of 4 observers, 12 units
# with missing values (section C). Published: nominal 0.743, ordinal 0.815, interval 0.849.
N = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_reproduces_krippendorffs_published_worked_example(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def _as_float(data):
    return np.array([[np.nan if v is None else v for v in row] for row in data], float)


@settings(max_examples=150, deadline=None)
@given(
    data=st.integers(2, 4).flatmap(
        lambda coders: st.lists(
            st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=coders, max_size=coders),
            min_size=1,
            max_size=15,
        )
    ),
    level=st.sampled_from(["nominal", "ordinal", "interval"]),
)
def test_alpha_equals_the_krippendorff_package_at_every_level(data, level):
    coders_by_units = [list(row) for row in zip(*data, strict=True)]
    ours = krippendorff_alpha(coders_by_units, level)
    pairable = [
        [v for v in unit if v is not None] for unit in data if sum(v is not None for v in unit) > 1
    ]
    values = {v for unit in pairable for v in unit}
    if len(values) < 2:  # the package raises or answers NaN without variation; we answer None
        assert ours is None
        return
    theirs = krippendorff.alpha(
        reliability_data=_as_float(coders_by_units), level_of_measurement=level
    )
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_weighted_kappa_equals_scikit_learn(weights):
    a = [1, 2, 3, 4, 5, 3, 2, 4, 4, 1, 5, 3]
    b = [1, 3, 3, 5, 4, 2, 2, 4, 3, 2, 5, 3]
    ours = weighted_kappa(a, b, [1, 2, 3, 4, 5], weights)
    theirs = cohen_kappa_score(a, b, labels=[1, 2, 3, 4, 5], weights=weights)
    assert ours == pytest.approx(theirs)


def test_kappa_is_none_without_variation_or_units():
    assert weighted_kappa([], [], [1, 2]) is None
    assert weighted_kappa([2, 2], [2, 2], [1, 2, 3]) is None


def test_scale_question_is_ordinal_with_quadratic_kappa_over_the_scale():
    answers = {
        "d1": {"ana": 1, "ben": 2, "cy": 1},
        "d2": {"ana": 4, "ben": 5, "cy": 4},
        "d3": {"ana": 3, "ben": 3},
        "d4": {"ana": 5},  # one answer: not pairable
    }
    result = question_agreement("scale", answers, minimum=1, maximum=5)
    assert (result["level"], result["weights"], result["units"]) == ("ordinal", "quadratic", 3)
    data = [[answers[d].get(name) for d in answers] for name in ("ana", "ben", "cy")]
    assert result["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=_as_float(data), level_of_measurement="ordinal")
    )
    ana_ben = result["kappa"][0]
    assert ana_ben["annotators"] == ["ana", "ben"] and ana_ben["units"] == 3
    assert ana_ben["kappa"] == pytest.approx(
        cohen_kappa_score([1, 4, 3], [2, 5, 3], labels=[1, 2, 3, 4, 5], weights="quadratic")
    )


def test_several_choices_are_one_binary_nominal_unit_per_choice():
    answers = {
        "d1": {"ana": ["war"], "ben": ["war", "money"]},
        "d2": {"ana": ["health"], "ben": ["health"]},
    }
    result = question_agreement("multiple", answers, choices=["health", "war", "money"])
    # units (d, choice): ana 0 1 0 | 1 0 0 ; ben 0 1 1 | 1 0 0
    ana, ben = [0, 1, 0, 1, 0, 0], [0, 1, 1, 1, 0, 0]
    assert result["level"] == "nominal" and result["units"] == 6
    assert result["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=[ana, ben], level_of_measurement="nominal")
    )
    assert result["kappa"][0]["kappa"] == pytest.approx(cohen_kappa_score(ana, ben))


def test_numbers_are_interval_without_kappa_and_text_is_not_compared():
    number = question_agreement("number", {"d1": {"a": 1.5, "b": 2.0}, "d2": {"a": 10, "b": 9}})
    assert number["level"] == "interval" and number["kappa"] == []
    assert number["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=[[1.5, 10], [2.0, 9]], level_of_measurement="interval")
    )
    text = question_agreement("text", {"d1": {"a": "x", "b": "y"}})
    assert text["level"] is None and text["alpha"] is None


def test_single_choice_is_nominal():
    answers = {"d1": {"a": "news", "b": "news"}, "d2": {"a": "opinion", "b": "news"}}
    result = question_agreement("single", answers, choices=["news", "opinion"])
    assert result["level"] == "nominal"
    assert not math.isnan(result["alpha"])
    assert result["kappa"][0]["kappa"] == pytest.approx(
        cohen_kappa_score(["news", "opinion"], ["news", "news"])
    )


def test_bootstrap_interval_of_alpha_resamples_documents_and_is_seeded():
    answers = {f"d{i}": {"a": i % 5 + 1, "b": (i + (i % 3 == 0)) % 5 + 1} for i in range(30)}
    first = question_agreement("scale", answers, minimum=1, maximum=5, bootstrap=200, seed=7)
    again = question_agreement("scale", answers, minimum=1, maximum=5, bootstrap=200, seed=7)
    low, high = first["alpha_interval"]
    assert low <= first["alpha"] <= high and low < high
    assert again["alpha_interval"] == first["alpha_interval"]
    assert question_agreement("scale", answers, minimum=1, maximum=5)["alpha_interval"] is None


def test_bootstrap_interval_keeps_a_documents_choices_together():
    answers = {"d1": {"a": ["x"], "b": ["x"]}, "d2": {"a": ["y"], "b": ["x", "y"]}}
    result = question_agreement("multiple", answers, choices=["x", "y"], bootstrap=50)
    # a draw of only d1 still varies: its choice units go together (x chosen, y not)
    assert result["alpha_interval"] is not None


def test_answers_against_gold_count_matches_and_how_far_off_scales_are():
    from annotator.agreement.questions import against_gold

    answers = {"d1": {"ana": 4, "ben": 2}, "d2": {"ana": 3}, "d3": {"ben": 5}}
    gold = {"d1": 2, "d2": 3}  # d3 has no gold answer: not scored
    assert against_gold("scale", answers, gold) == {
        "ana": {"documents": 2, "agreed": 1, "share": 0.5, "mean_difference": 1.0},
        "ben": {"documents": 1, "agreed": 1, "share": 1.0, "mean_difference": 0.0},
    }


def test_a_set_of_choices_agrees_with_gold_when_it_is_the_same_set_and_text_is_not_compared():
    from annotator.agreement.questions import against_gold

    answers = {"d1": {"ana": ["war", "health"], "ben": ["war"]}}
    assert against_gold("multiple", answers, {"d1": ["health", "war"]}) == {
        "ana": {"documents": 1, "agreed": 1, "share": 1.0, "mean_difference": None},
        "ben": {"documents": 1, "agreed": 0, "share": 0.0, "mean_difference": None},
    }
    assert against_gold("text", {"d1": {"ana": "x"}}, {"d1": "x"}) == {}
    assert against_gold("boolean", {"d1": {"ana": True}}, {"d1": None}) == {}
