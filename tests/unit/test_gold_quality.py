"""annotator.agreement.gold_quality: each annotator's precision, recall and F1 against gold,
hand-computed, over adjudicated documents only."""

from __future__ import annotations

import pytest

from annotator.agreement.gold_quality import vs_gold
from annotator.agreement.matching import Span

LABELS = ["claim", "evidence", "attribution"]


def spans(document: str, annotator: str, *items: tuple[str, int, int]) -> list[Span]:
    return [Span(document, annotator, label, start, end) for label, start, end in items]


GOLD = spans("d1", "", ("claim", 0, 10), ("claim", 20, 30), ("evidence", 40, 50)) + spans(
    "d2", "", ("claim", 0, 10)
)
ANNOTATED = (
    # ana: one exact claim, one claim with other boundaries, one evidence where gold has none
    spans("d1", "ana", ("claim", 0, 10), ("claim", 22, 30), ("evidence", 60, 70))
    # ben: all of gold exactly, and an attribution gold does not have
    + spans(
        "d1",
        "ben",
        ("claim", 0, 10),
        ("claim", 20, 30),
        ("evidence", 40, 50),
        ("attribution", 80, 90),
    )
    # d2 is not adjudicated: nothing of it counts, however wrong
    + spans("d2", "ana", ("evidence", 50, 60))
)
FINISHED = {"d1": ["ana", "ben"], "d2": ["ana"]}
LENGTHS = {"d1": 100, "d2": 100}


@pytest.fixture
def figures():
    return vs_gold(ANNOTATED, GOLD, LENGTHS, FINISHED, ["d1"], LABELS, ["ana", "ben"], bootstrap=0)


def prf(entry: dict, mode: str) -> tuple:
    return tuple(entry[mode][measure] for measure in ("precision", "recall", "f1"))


def test_exact_and_overlap_figures_per_label_are_the_hand_computed_ones(figures):
    ana = figures["ana"]["per_label"]
    assert prf(ana["claim"], "exact") == (0.5, 0.5, 0.5)  # 1 of 2 spans, 1 of 2 gold spans
    assert prf(ana["claim"], "overlap") == (1.0, 1.0, 1.0)  # [22, 30) overlaps [20, 30)
    assert prf(ana["evidence"], "exact") == (0.0, 0.0, 0.0)
    assert prf(ana["attribution"], "exact") == (None, None, None)  # neither has one
    ben = figures["ben"]["per_label"]
    assert prf(ben["claim"], "exact") == (1.0, 1.0, 1.0)
    assert prf(ben["attribution"], "overlap") == (0.0, None, 0.0)  # no gold: recall undefined


def test_micro_average_pools_the_counts_of_every_label(figures):
    ana = figures["ana"]["micro"]
    assert prf(ana, "exact") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert prf(ana, "overlap") == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert (ana["spans"], ana["gold"]) == (3, 3)
    ben = figures["ben"]["micro"]
    assert prf(ben, "exact") == pytest.approx((3 / 4, 1.0, 6 / 7))


def test_only_adjudicated_documents_an_annotator_finished_count(figures):
    assert figures["ana"]["documents"] == 1 and figures["ben"]["documents"] == 1
    nothing = vs_gold(ANNOTATED, GOLD, LENGTHS, FINISHED, [], LABELS, ["ana", "ben"])
    assert nothing == {}
    # d2 adjudicated as well: ana's lone evidence there now misses gold's claim
    both = vs_gold(
        ANNOTATED, GOLD, LENGTHS, FINISHED, ["d1", "d2"], LABELS, ["ana", "ben"], bootstrap=0
    )
    assert both["ana"]["documents"] == 2 and both["ben"]["documents"] == 1
    assert prf(both["ana"]["micro"], "exact") == pytest.approx((1 / 4, 1 / 4, 1 / 4))


def test_overlap_pairs_spans_by_the_maximum_matching_not_greedily():
    """Gold "ab" and "a", the annotator "ab" and "b": greedy pairs the two "ab" and strands the
    rest; the maximum matching pairs both (see docs/agreement.md)."""
    gold = spans("d", "", ("claim", 0, 2), ("claim", 0, 1))
    mine = spans("d", "ann", ("claim", 0, 2), ("claim", 1, 2))
    found = vs_gold(mine, gold, {"d": 2}, {"d": ["ann"]}, ["d"], ["claim"], ["ann"], bootstrap=0)
    assert prf(found["ann"]["micro"], "overlap") == (1.0, 1.0, 1.0)
    assert prf(found["ann"]["micro"], "exact") == (0.5, 0.5, 0.5)


def test_intervals_are_the_bootstrap_over_the_annotators_documents():
    gold = GOLD + spans("d3", "", ("claim", 0, 10))
    mine = ANNOTATED + spans("d3", "ana", ("claim", 0, 10))
    finished = FINISHED | {"d3": ["ana"]}
    found = vs_gold(
        mine, gold, LENGTHS | {"d3": 100}, finished, ["d1", "d3"], LABELS, ["ana"], bootstrap=200
    )
    exact = found["ana"]["micro"]["exact"]
    low, high = exact["f1_ci"]
    # d1 alone: 1/3; d3 alone: 1; both: 2 * 2 / (4 + 4) = 0.5
    assert low == pytest.approx(1 / 3) and high == pytest.approx(1.0)
    assert low <= exact["f1"] <= high
