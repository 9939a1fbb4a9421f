"""Agreement measures: published worked examples, reference implementations, edge cases.

Published figures are quoted with the source and the tolerance DKPro Statistics asserts for them
(dkpro/dkpro-statistics, dkpro-statistics-agreement/src/test/java/org/dkpro/statistics/agreement).
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations

import numpy as np
import pytest

from annotator.agreement.report import (
    Span,
    classify_pair,
    cohen_kappa,
    compute_agreement,
    disagreement_breakdown,
    krippendorff_alpha_nominal,
    span_f1,
    unitizing_alpha,
)

LABELS = ["claim", "evidence", "attribution"]


# ---------------------------------------------------------------- Krippendorff's nominal alpha

# Krippendorff (2004) Content Analysis, 2nd ed., p. 230: 4 coders x 12 units with missing values;
# the same data as DKPro's coding/Krippendorff2004Test.createExample3 (B book, L letter, P phone,
# C computer, F folder). Published nominal alpha 0.743.
KRIPPENDORFF_2004_P230 = [
    ["B", "L", "P", "P", "L", "B", "C", "B", "L", None, None, None],
    ["B", "L", "P", "P", "L", "L", "C", "B", "L", "F", None, None],
    [None, "P", "P", "P", "L", "P", "C", "L", "L", "F", "B", "P"],
    ["B", "L", "P", "P", "L", "C", "C", "B", "L", "F", "B", None],
]


def test_alpha_reproduces_krippendorff_2004_four_coders_with_missing_values():
    assert krippendorff_alpha_nominal(KRIPPENDORFF_2004_P230) == pytest.approx(0.743, abs=0.001)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # Krippendorff (2004) p. 224, two coders, binary: alpha 0.095 (DKPro testDichotomy).
        ("10 11 01 00 00 01 00 01 00 00", 0.095),
        # Krippendorff (2004) p. 227, two coders, three values: 0.734 (testMultipleCategories).
        ("aa ab bb bb bb bb bc cc cc cc cc cc", 0.734),
    ],
)
def test_alpha_reproduces_krippendorff_2004_two_coder_examples(pairs, expected):
    data = np.array([list(pair) for pair in pairs.split()]).T
    assert krippendorff_alpha_nominal(data) == pytest.approx(expected, abs=0.001)


def test_alpha_accepts_nan_as_missing_in_numeric_data():
    codes = {"B": 1.0, "L": 2.0, "P": 3.0, "C": 4.0, "F": 5.0, None: np.nan}
    data = [[codes[v] for v in row] for row in KRIPPENDORFF_2004_P230]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=0.001)


@pytest.mark.parametrize("seed", range(6))
def test_alpha_matches_krippendorff_package_on_random_data_with_missing_values(seed):
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(seed)
    coders, units = rng.integers(2, 6), rng.integers(20, 400)
    data = rng.integers(0, rng.integers(2, 6), (coders, units)).astype(float)
    agree = rng.random(units) < 0.6  # correlated coders, so alpha is not just noise around 0
    data[:, agree] = data[0, agree]
    data[rng.random(data.shape) < 0.2] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(data) == pytest.approx(expected, abs=1e-4)


def test_alpha_is_none_without_variation_or_pairable_values():
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None
    assert krippendorff_alpha_nominal([[1, None], [None, 2]]) is None


# ---------------------------------------------------------------- Cohen's kappa


def expand(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Two raters' codes from a contingency table (rows: rater a's category)."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # Cohen (1960) p. 45: kappa 0.492 (DKPro Cohen1960Test.testExample2, +-0.001).
        ([[88, 14, 18], [10, 40, 10], [2, 6, 12]], 0.492),
        # Krippendorff (2004) p. 246: kappa 0.186 and 0.258 (Krippendorff2004Test
        # .testOtherCoefficients, +-0.001).
        ([[12, 9, 9], [9, 14, 9], [9, 9, 20]], 0.186),
        ([[12, 18, 18], [0, 14, 18], [0, 0, 20]], 0.258),
    ],
)
def test_kappa_reproduces_published_tables(table, expected):
    assert cohen_kappa(*expand(table)) == pytest.approx(expected, abs=0.001)


def test_kappa_and_alpha_reproduce_krippendorff_1995_digitized_unitizing_example():
    # Krippendorff (1995) p. 57, example A digitized per character (Bertha vs Bill):
    # kappa 0.385, alpha 0.329 (DKPro unitizing/Krippendorff1995Test.testDigitizedAgreement).
    bertha = [int(c) for c in "001111111100001111110000"]
    bill = [int(c) for c in "000011110000000110000000"]
    assert cohen_kappa(bertha, bill) == pytest.approx(0.385, abs=0.001)
    assert krippendorff_alpha_nominal([bertha, bill]) == pytest.approx(0.329, abs=0.001)


@pytest.mark.parametrize("seed", range(6))
def test_kappa_matches_sklearn_on_random_data(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 300)
    b = np.where(rng.random(300) < 0.5, a, rng.integers(0, 4, 300))
    expected = metrics.cohen_kappa_score(a, b)
    assert cohen_kappa(a, b) == pytest.approx(expected, abs=1e-4)


def test_kappa_is_none_when_both_raters_use_one_category_throughout():
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None
    assert cohen_kappa([], []) is None
    assert cohen_kappa([1, 0, 1], [1, 0, 1]) == 1.0


# ---------------------------------------------------------------- unitizing alpha


def krippendorff_2004_unitizing():
    """Krippendorff (2004) p. 254: two raters, continuum [150, 450), as in DKPro's
    unitizing/Krippendorff2004Test.createExample (offset, length converted to [start, end))."""
    units = [
        (0, "c", 225, 70),
        (0, "c", 370, 30),
        (1, "c", 220, 80),
        (1, "c", 355, 20),
        (1, "c", 400, 20),
        (0, "k", 180, 60),
        (0, "k", 300, 50),
        (1, "k", 180, 60),
        (1, "k", 300, 50),
    ]
    return [(rater, cat, offset, offset + length) for rater, cat, offset, length in units]


def test_alpha_u_reproduces_krippendorff_2004_per_category_and_pooled():
    result = unitizing_alpha(krippendorff_2004_unitizing(), [0, 1], 150, 450)
    c, k = result["per_category"]["c"], result["per_category"]["k"]
    # DKPro testCategoryAgreement asserts these to +-0.0001.
    assert c["observed"] == pytest.approx(0.0144, abs=1e-4)
    assert c["expected"] == pytest.approx(0.0532, abs=1e-4)
    assert c["alpha_u"] == pytest.approx(0.7286, abs=1e-4)
    assert k["observed"] == pytest.approx(0.0, abs=1e-4)
    assert k["expected"] == pytest.approx(0.0490, abs=1e-4)
    assert k["alpha_u"] == pytest.approx(1.0, abs=1e-4)
    # DKPro testAgreement: 0.8591 +-0.0005 (Krippendorff's published 0.859).
    assert result["pooled"]["alpha_u"] == pytest.approx(0.8591, abs=0.0005)


def test_alpha_u_reproduces_dkpro_nested_units_example():
    # DKPro unitizing/UnitizingAgreementTest.testAgreement, +-0.0001:
    # r0: -11111111-   r1: --1-1-1---
    units = [(0, "A", 1, 9), (1, "A", 2, 3), (1, "A", 4, 5), (1, "A", 6, 7)]
    a = unitizing_alpha(units, [0, 1], 0, 10)["per_category"]["A"]
    assert a["observed"] == pytest.approx(0.9100, abs=1e-4)
    assert a["expected"] == pytest.approx(0.5351, abs=1e-4)
    assert a["alpha_u"] == pytest.approx(-0.7003, abs=1e-4)


def krippendorff_1995(stretch: float, categories: str = "ABCD"):
    """Krippendorff (1995) p. 57 (DKPro unitizing/Krippendorff1995Test.createExample): units as
    (offset, length, rater) on a 24-position continuum, stretched and truncated like DKPro."""
    example = {
        "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        "B": [
            (0, 18, 0),
            (0, 2, 1),
            (2, 1, 1),
            (3, 1, 1),
            (4, 1, 1),
            (5, 1, 1),
            (6, 3, 1),
            (9, 1, 1),
        ],
        "C": [
            (2, 6, 0),
            (10, 2, 0),
            (14, 4, 0),
            (20, 2, 0),
            (0, 2, 1),
            (4, 4, 1),
            (10, 4, 1),
            (16, 2, 1),
            (20, 2, 1),
        ],
        "D": [
            (0, 2, 0),
            (2, 8, 0),
            (10, 4, 0),
            (14, 6, 0),
            (20, 4, 0),
            (0, 4, 1),
            (4, 4, 1),
            (8, 7, 1),
            (15, 2, 1),
            (17, 7, 1),
        ],
    }
    units = [
        (rater, cat, int(offset * stretch), int(offset * stretch) + int(length * stretch))
        for cat in categories
        for offset, length, rater in example[cat]
    ]
    return unitizing_alpha(units, [0, 1], 0, int(24 * stretch))["per_category"]


def test_alpha_u_observed_disagreement_reproduces_krippendorff_1995():
    # DKPro Krippendorff1995Test.testAgreement, +-0.00001.
    result = krippendorff_1995(1)
    for category, expected in {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}.items():
        assert result[category]["observed"] == pytest.approx(expected, abs=1e-5)


def test_alpha_u_expected_disagreement_reproduces_krippendorff_1995_at_half_scale():
    # DKPro Krippendorff1995Test.testVaryingLengths, stretch 12/24: D_o and D_e +-0.00001,
    # alpha +-0.02. (At this scale B has zero-length units, so only C is built.)
    c = krippendorff_1995(12 / 24, "C")["C"]
    assert c["observed"] == pytest.approx(0.02777, abs=1e-5)
    assert c["expected"] == pytest.approx(0.05494, abs=1e-5)
    assert c["alpha_u"] == pytest.approx(0.494, abs=0.02)


def test_alpha_u_reproduces_krippendorff_1995_at_large_scale():
    # DKPro Krippendorff1995Test.testAgreement, stretch 1200000/24: D_e +-0.005, alpha +-0.02
    # (Krippendorff's published figures; DKPro notes a small error in the original D_e).
    result = krippendorff_1995(1_200_000 // 24)
    expected = {
        "A": (0.06990, 0.553),
        "B": (1.17731, -0.926),
        "C": (0.08642, 0.679),
        "D": (0.41445, 0.066),
    }
    for category, (d_e, alpha) in expected.items():
        assert result[category]["expected"] == pytest.approx(d_e, abs=0.005)
        assert result[category]["alpha_u"] == pytest.approx(alpha, abs=0.02)


def test_alpha_u_of_a_single_unit_is_zero_and_of_no_unit_is_undefined():
    # DKPro UnitizingAgreementTest: single unit -> 0.0; empty study -> NaN (None here).
    single = unitizing_alpha([(0, "X", 0, 1)], [0, 1, 2], 0, 20)
    assert single["pooled"]["alpha_u"] == pytest.approx(0.0, abs=1e-12)
    assert unitizing_alpha([], [0, 1, 2], 0, 20)["pooled"]["alpha_u"] is None


# ---------------------------------------------------------------- span F1 and classification

X = "x"
Y = "y"


def span(annotator, label, start, end, document="d1"):
    return Span(document, annotator, label, start, end)


@pytest.fixture
def every_kind():
    """x and y disagree once in every way: exact, boundary, label, missing_b, missing_a."""
    xs = [
        span(X, "claim", 0, 10),
        span(X, "claim", 20, 30),
        span(X, "evidence", 40, 50),
        span(X, "attribution", 60, 70),
    ]
    ys = [
        span(Y, "claim", 0, 10),
        span(Y, "claim", 22, 30),
        span(Y, "claim", 40, 50),
        span(Y, "evidence", 80, 90),
    ]
    return xs, ys


def test_span_f1_exact_counts_only_identical_ranges_and_overlap_counts_shared_characters(
    every_kind,
):
    xs, ys = every_kind
    assert span_f1(xs, ys, "exact") == (pytest.approx(2 / 8), 1, 4, 4)
    assert span_f1(xs, ys, "overlap") == (pytest.approx(4 / 8), 2, 4, 4)
    assert span_f1(xs, ys, "overlap", label="claim") == (pytest.approx(4 / 5), 2, 2, 3)


def test_span_f1_is_undefined_without_spans_and_documents_do_not_mix():
    assert span_f1([], [], "overlap").f1 is None
    other_document = [span(Y, "claim", 0, 10, document="d2")]
    assert span_f1([span(X, "claim", 0, 10)], other_document, "overlap").tp == 0


def test_overlap_matching_takes_the_largest_overlap_first():
    # x [8,20) overlaps y [5,15) by 7, x [0,10) only by 5: the larger one wins, one-to-one.
    xs = [span(X, "claim", 0, 10), span(X, "claim", 8, 20)]
    ys = [span(Y, "claim", 5, 15)]
    kinds = {(i["a"].start if i["a"] else None): i["kind"] for i in classify_pair(xs, ys)}
    assert kinds == {0: "missing_b", 8: "boundary"}
    assert span_f1(xs, ys, "overlap") == (pytest.approx(2 / 3), 1, 2, 1)


def test_overlap_matching_breaks_ties_by_position_whatever_the_input_order():
    # y [0,6) and y [4,10) both overlap x [0,10) by 6 with a boundary shift of 4: earlier wins.
    xs = [span(X, "claim", 0, 10)]
    ys = [span(Y, "claim", 0, 6), span(Y, "claim", 4, 10)]
    for order in (ys, ys[::-1]):
        matched = [i["b"] for i in classify_pair(xs, order) if i["kind"] == "boundary"]
        assert matched == [span(Y, "claim", 0, 6)]


def test_classify_pair_explains_every_span_once(every_kind):
    xs, ys = every_kind
    items = classify_pair(xs, ys)
    assert [i["kind"] for i in items] == ["exact", "boundary", "label", "missing_b", "missing_a"]
    assert Counter(i["a"] for i in items if i["a"]) == Counter(xs)
    assert Counter(i["b"] for i in items if i["b"]) == Counter(ys)
    label = next(i for i in items if i["kind"] == "label")
    assert (label["a"].label, label["b"].label) == ("evidence", "claim")


def test_breakdown_counts_each_kind_under_the_documented_label(every_kind):
    zero = dict.fromkeys(["exact", "boundary", "label", "missing_a", "missing_b"], 0)
    zero |= {"only_a": 0, "only_b": 0}
    assert disagreement_breakdown(*every_kind) == {
        "claim": {**zero, "exact": 1, "boundary": 1},
        "evidence": {**zero, "label": 1, "missing_a": 1, "only_b": 1},  # label: under x's label
        "attribution": {**zero, "missing_b": 1, "only_a": 1},
    }


def test_duplicate_spans_match_at_most_once():
    xs = [span(X, "claim", 0, 10), span(X, "claim", 0, 10)]
    ys = [span(Y, "claim", 0, 10)]
    assert span_f1(xs, ys, "exact") == (pytest.approx(2 / 3), 1, 2, 1)


# ---------------------------------------------------------------- compute_agreement


def random_study(seed: int, documents: int = 4, annotators: str = "abc"):
    """Random spans (overlapping ones included) with some documents left unfinished."""
    rng = np.random.default_rng(seed)
    lengths = {f"d{k}": int(rng.integers(40, 120)) for k in range(documents)}
    finished = {doc: [a for a in annotators if rng.random() < 0.8] for doc in lengths}
    finished["d0"] = list(annotators)
    spans = []
    for doc, length in lengths.items():
        anchors = [(int(rng.integers(0, length - 12)), int(rng.integers(2, 12))) for _ in range(6)]
        for annotator in annotators:
            for start, width in anchors:
                if rng.random() < 0.75:
                    s = max(0, start + int(rng.integers(-2, 3)))
                    label = LABELS[int(rng.integers(0, 2))]  # attribution stays unused
                    spans.append(Span(doc, annotator, label, s, min(length, s + width)))
    return spans, lengths, finished


def characters(spans, lengths, docs, annotator, label):
    """0/1 per character of ``docs``: covered by one of the annotator's spans of the label."""
    out = []
    for doc in docs:
        row = np.zeros(lengths[doc])
        for s in spans:
            if (s.document, s.annotator, s.label) == (doc, annotator, label):
                row[s.start : s.end] = 1
        out.append(row)
    return np.concatenate(out)


@pytest.mark.parametrize("seed", range(4))
def test_character_alpha_and_kappa_match_reference_implementations(seed):
    krippendorff = pytest.importorskip("krippendorff")
    metrics = pytest.importorskip("sklearn.metrics")
    spans, lengths, finished = random_study(seed)
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    docs = [doc for doc in sorted(lengths) if len(finished[doc]) >= 2]
    for label in ["claim", "evidence"]:
        rows = []
        for annotator in "abc":
            row = characters(spans, lengths, docs, annotator, label)
            mask = np.concatenate([np.full(lengths[d], annotator not in finished[d]) for d in docs])
            rows.append(np.where(mask, np.nan, row))
        expected = krippendorff.alpha(
            reliability_data=np.array(rows), level_of_measurement="nominal"
        )
        assert report["per_label"][label]["alpha"] == pytest.approx(expected, abs=1e-4)
    for pair in report["pairwise"]:
        shared = [d for d in docs if {pair["a"], pair["b"]} <= set(finished[d])]
        for label in ["claim", "evidence"]:
            a = characters(spans, lengths, shared, pair["a"], label)
            b = characters(spans, lengths, shared, pair["b"], label)
            expected = metrics.cohen_kappa_score(a, b)
            assert pair["per_label"][label]["kappa"] == pytest.approx(expected, abs=1e-4)


def test_alpha_u_of_one_fully_annotated_document_equals_unitizing_alpha():
    spans, lengths, finished = random_study(7, documents=1)
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    units = [(s.annotator, s.label, s.start, s.end) for s in spans]
    direct = unitizing_alpha(units, list("abc"), 0, lengths["d0"])
    for label in ["claim", "evidence"]:
        expected = direct["per_category"][label]["alpha_u"]
        assert report["per_label"][label]["alpha_u"] == pytest.approx(expected, abs=1e-12)
    assert report["alpha_u_pooled"] == pytest.approx(direct["pooled"]["alpha_u"], abs=1e-12)


def test_pairwise_figures_agree_with_the_low_level_functions():
    spans, lengths, finished = random_study(3)
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    for pair in report["pairwise"]:
        shared = {d for d in lengths if {pair["a"], pair["b"]} <= set(finished[d])}
        xs = [s for s in spans if s.annotator == pair["a"] and s.document in shared]
        ys = [s for s in spans if s.annotator == pair["b"] and s.document in shared]
        assert pair["documents"] == len(shared)
        assert pair["exact_f1"] == pytest.approx(span_f1(xs, ys, "exact").f1)
        assert pair["overlap_f1"] == pytest.approx(span_f1(xs, ys, "overlap").f1)
        expected = disagreement_breakdown(xs, ys)
        assert {k: v for k, v in pair["breakdown"].items() if k in expected} == expected


def test_report_is_json_with_the_documented_shape_and_sorted_disputes():
    spans, lengths, finished = random_study(1)
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=50)
    assert json.loads(json.dumps(report, allow_nan=False)) == report
    assert {
        "documents",
        "annotators",
        "labels",
        "pairwise",
        "per_label",
        "alpha_u_pooled",
        "alpha_u_pooled_ci",
        "documents_by_disagreement",
    } <= report.keys()
    pair = report["pairwise"][0]
    assert {
        "a",
        "b",
        "documents",
        "exact_f1",
        "overlap_f1",
        "exact_f1_ci",
        "overlap_f1_ci",
        "kappa",
        "per_label",
        "breakdown",
    } <= pair.keys()
    assert pair["per_label"]["claim"].keys() == {
        "exact_f1",
        "overlap_f1",
        "kappa",
        "exact_f1_ci",
        "overlap_f1_ci",
        "kappa_ci",
    }
    assert pair["breakdown"]["claim"].keys() == {
        "boundary",
        "label",
        "missing_a",
        "missing_b",
        "only_a",
        "only_b",
        "exact",
    }
    assert report["per_label"]["claim"].keys() == {"alpha", "alpha_u", "alpha_ci", "alpha_u_ci"}
    ranking = report["documents_by_disagreement"]
    assert len(ranking) == report["documents"]
    assert [r["disagreement"] for r in ranking] == sorted(
        (r["disagreement"] for r in ranking), reverse=True
    )


def test_document_disagreement_is_one_minus_mean_pairwise_overlap_f1():
    spans = [
        span(X, "claim", 0, 10),
        span(Y, "claim", 2, 10),
        span(X, "claim", 20, 30),
        span(X, "claim", 0, 5, document="calm"),
        span(Y, "claim", 0, 5, document="calm"),
    ]
    lengths = {"d1": 40, "calm": 10, "empty": 10}
    finished = {doc: [X, Y] for doc in lengths}
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    assert report["documents_by_disagreement"] == [
        {"document": "d1", "disagreement": pytest.approx(1 - 2 / 3), "spans": 3},
        {"document": "calm", "disagreement": 0.0, "spans": 2},
        {"document": "empty", "disagreement": 0.0, "spans": 0},  # nobody marked anything
    ]


def test_bootstrap_is_deterministic_for_a_seed_and_brackets_the_estimate():
    spans, lengths, finished = random_study(2, documents=30)
    first = compute_agreement(spans, lengths, finished, LABELS, bootstrap=300, seed=11)
    again = compute_agreement(spans, lengths, finished, LABELS, bootstrap=300, seed=11)
    other = compute_agreement(spans, lengths, finished, LABELS, bootstrap=300, seed=12)
    assert first == again
    assert first["alpha_u_pooled_ci"] != other["alpha_u_pooled_ci"]
    checks = [(first["alpha_u_pooled"], first["alpha_u_pooled_ci"])]
    checks += [
        (first["per_label"]["claim"][k], first["per_label"]["claim"][k + "_ci"])
        for k in ("alpha", "alpha_u")
    ]
    for pair in first["pairwise"]:
        checks += [(pair[k], pair[k + "_ci"]) for k in ("exact_f1", "overlap_f1", "kappa")]
    for estimate, (low, high) in checks:
        assert low <= estimate <= high and low < high


def test_no_bootstrap_means_no_intervals():
    spans, lengths, finished = random_study(2)
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    assert report["alpha_u_pooled_ci"] is None
    assert report["pairwise"][0]["overlap_f1_ci"] is None


def test_one_annotator_gives_no_pairs_and_no_alpha():
    report = compute_agreement([span(X, "claim", 0, 5)], {"d1": 10}, {"d1": [X]}, LABELS)
    assert report["documents"] == 0
    assert report["pairwise"] == []
    assert report["per_label"]["claim"] == {
        "alpha": None,
        "alpha_u": None,
        "alpha_ci": None,
        "alpha_u_ci": None,
    }
    assert report["alpha_u_pooled"] is None


def test_no_spans_at_all_leaves_every_measure_undefined():
    # F1: nothing to match; kappa, alpha, alpha_u: no variation (every character is 0).
    report = compute_agreement([], {"d1": 10}, {"d1": [X, Y]}, LABELS, bootstrap=20)
    pair = report["pairwise"][0]
    assert report["documents"] == 1
    assert (pair["exact_f1"], pair["overlap_f1"], pair["kappa"]) == (None, None, None)
    assert pair["overlap_f1_ci"] is None
    assert all(v is None for v in report["per_label"]["claim"].values())
    assert report["alpha_u_pooled"] is None


def test_full_agreement_scores_one_everywhere_and_an_unused_label_stays_undefined():
    marks = [("claim", 0, 10), ("evidence", 15, 30), ("claim", 40, 44)]
    spans = [span(a, lab, s, e) for a in (X, Y, "z") for lab, s, e in marks]
    report = compute_agreement(spans, {"d1": 50}, {"d1": [X, Y, "z"]}, LABELS, bootstrap=0)
    for pair in report["pairwise"]:
        assert (pair["exact_f1"], pair["overlap_f1"], pair["kappa"]) == (1.0, 1.0, 1.0)
        assert pair["per_label"]["attribution"]["overlap_f1"] is None
        assert pair["per_label"]["attribution"]["kappa"] is None
    for label in ("claim", "evidence"):
        assert report["per_label"][label]["alpha"] == pytest.approx(1.0)
        assert report["per_label"][label]["alpha_u"] == pytest.approx(1.0)
    assert report["per_label"]["attribution"]["alpha"] is None
    assert report["per_label"]["attribution"]["alpha_u"] is None
    assert report["alpha_u_pooled"] == pytest.approx(1.0)


def test_documents_only_one_annotator_finished_are_excluded():
    spans = [
        span(X, "claim", 0, 10),
        span(Y, "claim", 0, 10),
        span(X, "claim", 0, 10, document="solo"),
        span(Y, "evidence", 3, 8, document="solo"),
    ]
    finished = {"d1": [X, Y], "solo": [X]}  # y's span on "solo" is unfinished work
    report = compute_agreement(spans, {"d1": 20, "solo": 20}, finished, LABELS, bootstrap=0)
    assert report["documents"] == 1
    assert [d["document"] for d in report["documents_by_disagreement"]] == ["d1"]
    assert report["pairwise"][0]["exact_f1"] == 1.0


def test_annotators_argument_restricts_the_comparison():
    spans, lengths, finished = random_study(5)
    report = compute_agreement(spans, lengths, finished, LABELS, annotators=["c", "a"], bootstrap=0)
    assert report["annotators"] == ["c", "a"]
    assert [(p["a"], p["b"]) for p in report["pairwise"]] == [("c", "a")]


def test_span_outside_its_document_is_rejected():
    with pytest.raises(ValueError, match="outside"):
        compute_agreement([span(X, "claim", 5, 11)], {"d1": 10}, {"d1": [X, Y]}, LABELS)


@pytest.mark.parametrize("seed", range(3))
def test_pairs_cover_every_combination_of_annotators(seed):
    spans, lengths, finished = random_study(seed, annotators="abcd")
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    assert [(p["a"], p["b"]) for p in report["pairwise"]] == list(combinations("abcd", 2))
