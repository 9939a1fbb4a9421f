"""The overlap matching of agreement: a maximum one-to-one matching, whatever the visiting order.

Pure (no database). The smallest case greedy matching gets wrong is the two-character document
"ab": a marks claim [0, 2) and [0, 1), b marks claim [0, 2) and [1, 2). Pairing the identical
[0, 2) spans first strands the two short ones, which do not overlap each other (overlap F1 0.5),
yet a [0, 1)-b [0, 2) and a [0, 2)-b [1, 2) pair every span (overlap F1 1.0).
"""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.adjudication.alignment import (
    DocumentAgreement,
    Mark,
    PairFigures,
    align,
    document_agreement,
)
from annotator.agreement import matching
from annotator.agreement.report import (
    Relation,
    Span,
    classify_pair,
    compute_agreement,
    disagreement_breakdown,
    relation_f1,
    span_f1,
)
from annotator.data_export.formats.card import dataset_card


def spans(annotator: str, *ranges: tuple[int, int], label: str = "claim") -> list[Span]:
    return [
        Span("d", annotator, label, start, end, f"{annotator}{k}")
        for k, (start, end) in enumerate(ranges)
    ]


def pairs(xs: list[Span], ys: list[Span]) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """The (a range, b range) pairs the overlap matching makes."""
    return {
        ((i["a"].start, i["a"].end), (i["b"].start, i["b"].end))
        for i in classify_pair(xs, ys)
        if i["kind"] in ("exact", "boundary")
    }


def mirrored(ranges: tuple[tuple[int, int], ...], length: int) -> tuple[tuple[int, int], ...]:
    """The same ranges read from the other end of a text of ``length`` code points."""
    return tuple((length - end, length - start) for start, end in ranges)


AB_A = ((0, 2), (0, 1))
AB_B = ((0, 2), (1, 2))
AB_CASES = {
    "as in the issue": (AB_A, AB_B),
    "sides swapped": (AB_B, AB_A),
    "text mirrored": (mirrored(AB_A, 2), mirrored(AB_B, 2)),
    "swapped and mirrored": (mirrored(AB_B, 2), mirrored(AB_A, 2)),
}


# ---------------------------------------------------------------- the "ab" case


@pytest.mark.parametrize(("ranges_a", "ranges_b"), AB_CASES.values(), ids=AB_CASES.keys())
def test_every_span_of_the_ab_case_pairs_with_an_overlapping_one(ranges_a, ranges_b):
    xs, ys = spans("a", *ranges_a), spans("b", *ranges_b)
    assert span_f1(xs, ys, "overlap") == (1.0, 2, 2, 2)
    assert [i["kind"] for i in classify_pair(xs, ys)] == ["boundary", "boundary"]


@pytest.mark.parametrize(("ranges_a", "ranges_b"), AB_CASES.values(), ids=AB_CASES.keys())
def test_exact_f1_of_the_ab_case_still_counts_the_identical_spans(ranges_a, ranges_b):
    xs, ys = spans("a", *ranges_a), spans("b", *ranges_b)
    assert span_f1(xs, ys, "exact") == (0.5, 1, 2, 2)


def test_ab_case_breakdown_has_no_span_marked_by_one_side_only():
    counts = disagreement_breakdown(spans("a", *AB_A), spans("b", *AB_B))["claim"]
    assert counts["boundary"] == 2
    assert counts["only_a"] == counts["only_b"] == counts["exact"] == 0


def test_ab_document_has_no_disagreement_and_overlap_f1_one():
    report = compute_agreement(
        spans("a", *AB_A) + spans("b", *AB_B), {"d": 2}, {"d": ["a", "b"]}, ["claim"], bootstrap=0
    )
    (pair,) = report["pairwise"]
    assert (pair["overlap_f1"], pair["exact_f1"]) == (1.0, 0.5)
    assert pair["per_label"]["claim"]["overlap_f1"] == 1.0
    assert report["documents_by_disagreement"] == [
        {"document": "d", "disagreement": 0.0, "spans": 4}
    ]


def test_link_f1_by_overlap_follows_the_maximum_matching():
    # a links [0, 1) -> [0, 2); b links [0, 2) -> [1, 2): the matched ends, so one link each way.
    xs, ys = spans("a", *AB_A), spans("b", *AB_B)
    link_a = Relation("d", "a", "supports", source="a1", target="a0")
    link_b = Relation("d", "b", "supports", source="b0", target="b1")
    assert relation_f1(xs, ys, [link_a], [link_b], "overlap") == (1.0, 1, 1, 1)
    assert relation_f1(xs, ys, [link_a], [link_b], "exact").tp == 0


# ---------------------------------------------------------------- small cases


def test_where_greedy_is_already_maximum_the_matching_is_the_same():
    # Each span of x overlaps one of y best; greedy and maximum both pair them that way.
    xs = spans("x", (0, 10), (8, 20), (30, 40))
    ys = spans("y", (0, 9), (9, 20), (30, 40))
    assert pairs(xs, ys) == {((0, 10), (0, 9)), ((8, 20), (9, 20)), ((30, 40), (30, 40))}


def test_among_maximum_matchings_the_largest_total_overlap_wins():
    # One pair only (x has one span): y [4, 9) overlaps x [0, 10) by 5, y [2, 5) by 3.
    assert pairs(spans("x", (0, 10)), spans("y", (2, 5), (4, 9))) == {((0, 10), (4, 9))}


def test_identical_spans_pair_with_each_other_when_that_costs_no_pair():
    # Nested on both sides: exact + [2,4)-[3,5) overlaps 10 + 1, the crossed pairs only 2 + 2.
    xs, ys = spans("x", (0, 10), (2, 4)), spans("y", (0, 10), (3, 5))
    assert pairs(xs, ys) == {((0, 10), (0, 10)), ((2, 4), (3, 5))}
    assert [i["kind"] for i in classify_pair(xs, ys)] == ["exact", "boundary"]


def test_equal_overlaps_go_to_the_smallest_boundary_shift():
    # y [0, 4) and [0, 6) both share 4 characters with x [0, 4); the identical one shifts 0.
    assert pairs(spans("x", (0, 4)), spans("y", (0, 6), (0, 4))) == {((0, 4), (0, 4))}


def test_a_nested_span_pairs_with_the_span_around_it():
    xs, ys = spans("x", (0, 20)), spans("y", (5, 8))
    assert pairs(xs, ys) == {((0, 20), (5, 8))}
    assert span_f1(xs, ys, "overlap").f1 == 1.0


def test_touching_spans_do_not_overlap():
    xs, ys = spans("x", (0, 2)), spans("y", (2, 4))
    assert pairs(xs, ys) == set()
    assert span_f1(xs, ys, "overlap") == (0.0, 0, 1, 1)


def test_spans_of_other_labels_or_documents_never_pair_by_overlap():
    xs = spans("x", (0, 10))
    ys = spans("y", (0, 10), label="evidence") + [Span("other", "y", "claim", 0, 10)]
    assert pairs(xs, ys) == set()
    assert [i["kind"] for i in classify_pair(xs, ys)] == ["label", "missing_a"]


@pytest.mark.parametrize("scale", [10**8, 10**15], ids=["overlap tie-break", "pairs only"])
def test_huge_spans_still_get_as_many_pairs_as_possible(scale):
    # Weights this big cannot all be exact in float64: the tie-breaks go, the pair count stays.
    xs = spans("a", *((start * scale, end * scale) for start, end in AB_A))
    ys = spans("b", *((start * scale, end * scale) for start, end in AB_B))
    assert span_f1(xs, ys, "overlap") == (1.0, 2, 2, 2)


def test_the_matching_does_not_depend_on_the_order_spans_come_in():
    xs = spans("x", (0, 10), (2, 4), (5, 12), (20, 30))
    ys = spans("y", (0, 10), (3, 6), (9, 21), (25, 26))
    expected = classify_pair(xs, ys)
    for order in permutations(range(4)):
        assert classify_pair([xs[k] for k in order], ys[::-1]) == expected


# ---------------------------------------------------------------- properties on small inputs


def overlap(x: tuple[int, int], y: tuple[int, int]) -> int:
    return max(0, min(x[1], y[1]) - max(x[0], y[0]))


def shift(x: tuple[int, int], y: tuple[int, int]) -> int:
    return abs(x[0] - y[0]) + abs(x[1] - y[1])


def all_matchings(xs: list[tuple[int, int]], ys: list[tuple[int, int]]):
    """Every one-to-one matching of overlapping ranges, as lists of index pairs (brute force)."""

    def extend(i: int, free: frozenset[int]):
        if i == len(xs):
            yield []
            return
        yield from extend(i + 1, free)
        for j in sorted(free):
            if overlap(xs[i], ys[j]):
                for rest in extend(i + 1, free - {j}):
                    yield [(i, j), *rest]

    yield from extend(0, frozenset(range(len(ys))))


def greedy_matching(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The former matching: largest overlap first, then smallest shift, each span once."""
    candidates = [(i, j) for i in range(len(xs)) for j in range(len(ys)) if overlap(xs[i], ys[j])]
    candidates.sort(key=lambda p: (-overlap(xs[p[0]], ys[p[1]]), shift(xs[p[0]], ys[p[1]]), p))
    used_x, used_y, chosen = set(), set(), []
    for i, j in candidates:
        if i not in used_x and j not in used_y:
            used_x.add(i)
            used_y.add(j)
            chosen.append((i, j))
    return chosen


ranges = st.lists(
    st.tuples(st.integers(0, 7), st.integers(1, 4)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=5,
)


def matched(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Index pairs into xs and ys of the overlap matching (through the public pair columns)."""
    a, sorted_a, b, sorted_b, n_labels, stride = matching.pair_columns(
        spans("x", *xs), spans("y", *ys)
    )
    i, j = matching.overlap_matching(a, b, n_labels, stride)
    index_a = [int(s.id[1:]) for s in sorted_a]
    index_b = [int(s.id[1:]) for s in sorted_b]
    return [(index_a[x], index_b[y]) for x, y in zip(i.tolist(), j.tolist(), strict=True)]


@settings(max_examples=300, deadline=None)
@given(ranges, ranges)
def test_matching_is_one_to_one_between_overlapping_spans(xs, ys):
    found = matched(xs, ys)
    assert len({i for i, _ in found}) == len({j for _, j in found}) == len(found)
    assert all(overlap(xs[i], ys[j]) for i, j in found)


@settings(max_examples=300, deadline=None)
@given(ranges, ranges)
def test_matching_is_as_large_as_the_brute_force_maximum_and_never_below_greedy(xs, ys):
    size = len(matched(xs, ys))
    assert size == max(len(m) for m in all_matchings(xs, ys))
    assert size >= len(greedy_matching(xs, ys))


@settings(max_examples=300, deadline=None)
@given(ranges, ranges)
def test_matching_has_the_largest_overlap_then_smallest_shift_among_maximum_matchings(xs, ys):
    def score(m: list[tuple[int, int]]) -> tuple[int, int, int]:
        total_overlap = sum(overlap(xs[i], ys[j]) for i, j in m)
        return len(m), total_overlap, -sum(shift(xs[i], ys[j]) for i, j in m)

    assert score(matched(xs, ys)) == max(score(m) for m in all_matchings(xs, ys))


@settings(max_examples=200, deadline=None)
@given(ranges, ranges, st.randoms(use_true_random=False))
def test_overlap_f1_does_not_depend_on_the_order_of_the_spans(xs, ys, random):
    a, b = spans("x", *xs), spans("y", *ys)
    expected = span_f1(a, b, "overlap")
    random.shuffle(a)
    random.shuffle(b)
    assert span_f1(a, b, "overlap") == expected


# ---------------------------------------------------------------- the comparison view


def marks(annotator: str, *ranges: tuple[int, int], label: str = "claim") -> list[Mark]:
    return [Mark(f"{annotator}{k}", annotator, label, s, e) for k, (s, e) in enumerate(ranges)]


def test_comparison_region_of_the_ab_case_is_a_boundary_difference_and_nothing_missing():
    (region,) = align(marks("a", *AB_A) + marks("b", *AB_B), ["a", "b"])
    assert region.kinds == ["boundary"]


def test_comparison_calls_a_span_left_without_partner_extra_not_a_boundary_difference():
    # b's [8, 12) overlaps a's [0, 10), but a's span pairs with b's identical one.
    (region,) = align(marks("a", (0, 10)) + marks("b", (0, 10), (8, 12)), ["a", "b"])
    assert region.kinds == ["agree", "extra"]


def test_document_figures_of_the_comparison_view_are_those_of_the_agreement_report():
    figures = document_agreement(marks("a", *AB_A) + marks("b", *AB_B), ["a", "b"], ["claim"], 2)
    counts = {"exact": 0, "boundary": 2, "label": 0, "only_a": 0, "only_b": 0}
    assert figures == DocumentAgreement(0.0, [PairFigures("a", "b", 1.0, 0.5, counts)])
    assert document_agreement(marks("a", *AB_A), ["a"], ["claim"], 2) is None


def test_dataset_card_says_overlap_f1_uses_a_maximum_matching():
    card = dataset_card({"agreement": {"mean pairwise overlap span F1": 1.0}})
    assert "mean pairwise overlap span F1: 1.000" in card
    assert "by a maximum matching" in card
    assert "maximum matching" not in dataset_card({"agreement": None})


def test_agreement_doc_explains_every_breakdown_key():
    doc = (Path(__file__).parents[2] / "docs" / "agreement.md").read_text("utf-8")
    for key in disagreement_breakdown(spans("a", (0, 1)), spans("b", (0, 1)))["claim"]:
        assert f"`{key}`" in doc, key
