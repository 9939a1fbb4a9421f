"""Suggestion measures per label: acceptance of what was shown, precision and recall against
gold, and agreement between annotators who saw suggestions and between those who did not."""

from __future__ import annotations

import pytest

from annotator.suggestions.measures import measure

# document 1: two suggestions; gold has one of them and one more
S1 = (1, "attribution", 0, 10)
S2 = (1, "attribution", 20, 30)
CLAIM = (1, "claim", 40, 50)


def test_acceptance_counts_only_suggestions_shown_to_the_annotator():
    (row,) = measure(
        labels=["attribution"],
        suggestions=[S1, S2],
        shown={1: {7, 8}},  # annotators 7 and 8 saw suggestions on document 1
        accepted=[(7, S1), (8, S1), (9, S2)],  # 9 was not shown: it marked S2 itself
        rejected=[(7, S2)],
        gold=[],
        spans=[],
        exposure={},
    )
    assert (row.shown, row.accepted, row.rejected) == (4, 2, 1)
    assert row.acceptance == pytest.approx(0.5)


def test_precision_and_recall_against_gold_on_documents_with_gold():
    rows = measure(
        labels=["attribution", "claim"],
        suggestions=[S1, S2, (2, "attribution", 0, 5)],  # document 2 has no gold: left out
        shown={},
        accepted=[],
        rejected=[],
        gold=[S1, (1, "attribution", 60, 70), CLAIM],
        spans=[],
        exposure={},
    )
    attribution, claim = rows
    assert (attribution.suggested, attribution.gold, attribution.correct) == (2, 2, 1)
    assert attribution.precision == pytest.approx(0.5)
    assert attribution.recall == pytest.approx(0.5)
    assert claim.precision is None and claim.recall == 0.0  # nothing suggested, one gold missed


def test_agreement_is_compared_within_each_group_and_mixed_pairs_are_left_out():
    a, b = (1, "claim", 0, 5), (1, "claim", 6, 9)
    rows = measure(
        labels=["claim"],
        suggestions=[],
        shown={},
        accepted=[],
        rejected=[],
        gold=[],
        # document 1: 1 and 2 saw suggestions and agree; 3 and 4 did not and partly agree;
        # the pairs (1, 3), (1, 4), (2, 3), (2, 4) are mixed and left out
        spans=[(1, a), (2, a), (3, a), (3, b), (4, a)],
        exposure={(1, 1): True, (1, 2): True, (1, 3): False, (1, 4): False},
    )
    (row,) = rows
    assert (row.agreement_with, row.pairs_with) == (1.0, 1)
    assert row.agreement_without == pytest.approx(2 / 3) and row.pairs_without == 1


def test_no_data_gives_no_figures():
    (row,) = measure(
        labels=["claim"],
        suggestions=[],
        shown={},
        accepted=[],
        rejected=[],
        gold=[],
        spans=[],
        exposure={},
    )
    assert row.acceptance is None and row.precision is None and row.recall is None
    assert row.agreement_with is None and row.agreement_without is None
