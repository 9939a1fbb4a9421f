"""annotator.adjudication.alignment: regions of overlapping spans across annotators, classified
for curators."""

import pytest

from annotator.adjudication.alignment import Mark, agreed_keys, align, summary

ANNOTATORS = ["ana", "ben", "cleo"]


def mark(annotator, label, start, end):
    return Mark(f"{annotator}-{label}-{start}-{end}", annotator, label, start, end)


def test_identical_spans_of_every_annotator_agree():
    regions = align([mark(a, "claim", 0, 10) for a in ANNOTATORS], ANNOTATORS)
    assert [(r.start, r.end, r.kinds) for r in regions] == [(0, 10, ["agree"])]


def test_each_kind_of_disagreement_is_named():
    marks = [
        # missing: only ana marks 0-5
        mark("ana", "claim", 0, 5),
        # label: same range, ben says evidence
        mark("ana", "claim", 10, 20),
        mark("ben", "evidence", 10, 20),
        mark("cleo", "claim", 10, 20),
        # boundary: same label, cleo's range is shorter
        mark("ana", "claim", 30, 40),
        mark("ben", "claim", 30, 40),
        mark("cleo", "claim", 32, 40),
        # extra: ben adds a nested span
        mark("ana", "attribution", 50, 60),
        mark("ben", "attribution", 50, 60),
        mark("ben", "claim", 52, 55),
        mark("cleo", "attribution", 50, 60),
    ]
    regions = align(marks, ANNOTATORS)
    # ana and cleo agree exactly in the label region, ana and ben in the other two.
    assert [r.kinds for r in regions] == [
        ["missing"],
        ["agree", "label"],
        ["agree", "boundary"],
        ["agree", "extra"],
    ]
    assert summary(regions) == {"agree": 3, "missing": 1, "label": 1, "boundary": 1, "extra": 1}


def test_overlapping_spans_join_one_region_in_text_order():
    regions = align([mark("ben", "claim", 5, 15), mark("ana", "claim", 0, 8)], ["ana", "ben"])
    assert [(r.start, r.end) for r in regions] == [(0, 15)]
    assert set(regions[0].marks) == {"ana", "ben"}


def test_touching_spans_are_separate_regions():
    regions = align([mark("ana", "claim", 0, 5), mark("ben", "claim", 5, 9)], ["ana", "ben"])
    assert [(r.start, r.end, r.kinds) for r in regions] == [
        (0, 5, ["missing"]),
        (5, 9, ["missing"]),
    ]


def test_agreed_keys_need_at_least_k_identical_spans():
    marks = [
        mark("ana", "claim", 0, 10),
        mark("ben", "claim", 0, 10),
        mark("cleo", "claim", 0, 9),
        mark("ana", "evidence", 20, 30),
    ]
    regions = align(marks, ANNOTATORS)
    assert [key for key, _ in agreed_keys(regions, 2, ANNOTATORS)] == [("claim", 0, 10)]
    assert agreed_keys(regions, 3, ANNOTATORS) == []
    assert agreed_keys(regions, 2, ["ana", "cleo"]) == []  # ben has not finished


def test_one_annotator_is_never_an_agreement():
    regions = align([mark("ana", "claim", 0, 3)], ["ana"])
    assert regions[0].kinds == []
    with pytest.raises(ValueError, match="at_least must be 2"):
        agreed_keys(regions, 1, ["ana"])


def test_spans_of_an_annotator_who_has_not_finished_are_not_compared():
    marks = [mark("ana", "claim", 0, 3), mark("ben", "claim", 0, 3), mark("cleo", "claim", 0, 2)]
    regions = align(marks, ANNOTATORS, finished=["ana", "ben"])
    assert regions[0].kinds == ["agree"]


def test_one_annotators_nested_spans_are_not_a_boundary_disagreement():
    marks = [mark("ana", "attribution", 0, 20), mark("ana", "attribution", 5, 8)]
    regions = align(marks, ["ana", "ben"])
    assert regions[0].kinds == ["missing"]
