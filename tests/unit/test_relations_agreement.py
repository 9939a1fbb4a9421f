"""Relation F1 and attribute agreement: small studies whose figures are worked out by hand."""

from __future__ import annotations

import pytest

from annotator.agreement.report import (
    Kappa,
    Relation,
    Span,
    attribute_alpha,
    attribute_kappa,
    compute_agreement,
    relation_f1,
)

LABELS = ["claim", "evidence", "attribution"]


def span(annotator, id_, label, start, end, document="d1", **attributes):
    return Span(document, annotator, label, start, end, id=id_, attributes=attributes)


def link(annotator, type_, source, target, document="d1"):
    return Relation(document, annotator, type_, source, target)


# ana and ben mark the same three spans, except that ben's claim ends two characters later.
ANA = [
    span("ana", "a-who", "attribution", 0, 10),
    span("ana", "a-claim", "claim", 20, 30),
    span("ana", "a-proof", "evidence", 40, 50),
]
BEN = [
    span("ben", "b-who", "attribution", 0, 10),
    span("ben", "b-claim", "claim", 20, 32),
    span("ben", "b-proof", "evidence", 40, 50),
]
ANA_LINKS = [
    link("ana", "attributed_to", "a-claim", "a-who"),
    link("ana", "supports", "a-proof", "a-claim"),
]
BEN_LINKS = [
    link("ben", "attributed_to", "b-claim", "b-who"),
    link("ben", "refutes", "b-proof", "b-claim"),  # the type differs from ana's supports
]


@pytest.mark.parametrize(
    ("mode", "type_", "expected"),
    [
        # Exact: the claims differ, so no link has both ends matched: 2·0 / (2 + 2).
        ("exact", None, (0.0, 0, 2, 2)),
        # Overlap: the claims match; attributed_to agrees, supports ≠ refutes: 2·1 / (2 + 2).
        ("overlap", None, (0.5, 1, 2, 2)),
        ("overlap", "attributed_to", (1.0, 1, 1, 1)),
        ("overlap", "supports", (0.0, 0, 1, 0)),
        ("overlap", "refutes", (0.0, 0, 0, 1)),
        ("exact", "attributed_to", (0.0, 0, 1, 1)),
    ],
)
def test_relation_f1_needs_both_ends_matched_under_the_span_match_and_the_same_type(
    mode, type_, expected
):
    assert tuple(relation_f1(ANA, BEN, ANA_LINKS, BEN_LINKS, mode, type_)) == expected


def test_relation_f1_counts_direction():
    reversed_links = [link("ben", "attributed_to", "b-who", "b-claim")]
    result = relation_f1(ANA, BEN, ANA_LINKS[:1], reversed_links, "overlap")
    assert tuple(result) == (0.0, 0, 1, 1)


def test_relation_f1_matches_each_link_at_most_once_through_one_to_one_span_matching():
    # ana has two overlapping claims, both attributed to the same source; ben has one claim.
    # Spans match one-to-one (ben's claim goes to ana's identical one), so one link matches:
    # 2·1 / (2 + 1) = 2/3 under either span match.
    ana = [*ANA[:2], span("ana", "a-claim-2", "claim", 25, 40)]
    ana_links = [
        link("ana", "attributed_to", "a-claim", "a-who"),
        link("ana", "attributed_to", "a-claim-2", "a-who"),
    ]
    ben = [BEN[0], span("ben", "b-claim", "claim", 20, 30)]
    ben_links = [link("ben", "attributed_to", "b-claim", "b-who")]
    for mode in ("exact", "overlap"):
        assert relation_f1(ana, ben, ana_links, ben_links, mode) == pytest.approx((2 / 3, 1, 2, 1))


def test_relation_f1_is_undefined_without_links_and_zero_when_one_side_has_none():
    assert relation_f1(ANA, BEN, [], []).f1 is None
    assert tuple(relation_f1(ANA, BEN, ANA_LINKS, [], "overlap")) == (0.0, 0, 2, 0)


def test_relation_f1_leaves_out_links_whose_spans_were_not_given():
    # ana's supports link points at a claim of an unfinished document: it is not counted.
    stray = link("ana", "supports", "a-proof", "claim-elsewhere")
    result = relation_f1(ANA, BEN, [ANA_LINKS[0], stray], BEN_LINKS[:1], "overlap")
    assert tuple(result) == (1.0, 1, 1, 1)


def test_relation_f1_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        relation_f1(ANA, BEN, ANA_LINKS, BEN_LINKS, "fuzzy")


# --- attributes ----------------------------------------------------------------------------------


def sources(annotator, values, **extra):
    """Attribution spans 0-5, 10-15, 20-25, … with these source_type values (None: unset)."""
    out = []
    for k, value in enumerate(values):
        attributes = {} if value is None else {"source_type": value}
        out.append(
            span(annotator, f"{annotator}-{k}", "attribution", 10 * k, 10 * k + 5, **attributes)
        )
    return out


def test_attribute_kappa_on_exactly_matched_spans_that_both_gave_a_value():
    # Four matched spans: ana says media, media, person, person; ben media, person, person, person.
    # p_o = 3/4; chance = (2·1 + 2·3) / 16 = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2.
    # A fifth span only ana gave a value to, and a sixth ben's boundary differs: both left out.
    ana = sources("ana", ["media", "media", "person", "person", "media", "person"])
    ben = sources("ben", ["media", "person", "person", "person", None])
    ben.append(span("ben", "ben-5", "attribution", 50, 57, source_type="person"))
    assert attribute_kappa(ana, ben, "attribution", "source_type") == Kappa(
        pytest.approx(0.5), 4, 3
    )


def test_attribute_kappa_is_undefined_without_variation_or_without_units():
    same = attribute_kappa(
        sources("ana", ["media", "media"]),
        sources("ben", ["media", "media"]),
        "attribution",
        "source_type",
    )
    assert same == Kappa(None, 2, 2)
    assert attribute_kappa([], [], "attribution", "source_type") == Kappa(None, 0, 0)


def test_attribute_alpha_across_annotators_treats_an_unset_value_as_missing():
    # Units (same label and range): u1 A A A; u2 A B and cleo has no span there; u3 B B B;
    # u4 only ana (not pairable). Coincidences: o_AA = 3, o_BB = 3, o_AB = o_BA = 1; n_A = n_B = 4,
    # n = 8. alpha = 1 - (n - 1) · (o_AB + o_BA) / (n² - n_A² - n_B²) = 1 - 7 · 2 / 32 = 0.5625.
    spans = [
        *sources("ana", ["A", "A", "B", "A"]),
        *sources("ben", ["A", "B", "B"]),
        span("cleo", "cleo-0", "attribution", 0, 5, source_type="A"),
        span("cleo", "cleo-2", "attribution", 20, 25, source_type="B"),
        span("cleo", "cleo-3", "attribution", 30, 35),  # no value: missing, like no span
    ]
    alpha, units = attribute_alpha(spans, "attribution", "source_type")
    assert alpha == pytest.approx(0.5625) and units == 3


def test_attribute_alpha_without_two_values_on_any_unit_is_undefined():
    assert attribute_alpha(sources("ana", ["A"]), "attribution", "source_type") == (None, 0)


# --- in the project report -------------------------------------------------------------------


def test_compute_agreement_adds_relation_f1_and_attribute_agreement_to_the_report():
    ana = [span("ana", "a-who", "attribution", 0, 10, source_type="media outlet"), *ANA[1:]]
    ben = [span("ben", "b-who", "attribution", 0, 10, source_type="named person"), *BEN[1:]]
    # cleo has not finished the document: her spans and links do not count.
    cleo = [
        span("cleo", "c-who", "attribution", 0, 10, source_type="media outlet"),
        span("cleo", "c-claim", "claim", 20, 30),
    ]
    report = compute_agreement(
        [*ana, *ben, *cleo],
        {"d1": 60},
        {"d1": ["ana", "ben"]},
        LABELS,
        bootstrap=0,
        relations=[*ANA_LINKS, *BEN_LINKS, link("cleo", "attributed_to", "c-claim", "c-who")],
    )

    assert report["relations"]["types"] == ["attributed_to", "refutes", "supports"]
    (pair,) = report["relations"]["pairwise"]
    assert (pair["a"], pair["b"], pair["documents"]) == ("ana", "ben", 1)
    assert (pair["exact_f1"], pair["overlap_f1"]) == (0.0, 0.5)
    assert pair["exact"] == {"tp": 0, "n_a": 2, "n_b": 2}
    assert pair["overlap"] == {"tp": 1, "n_a": 2, "n_b": 2}
    assert pair["per_type"] == {
        "attributed_to": {"exact_f1": 0.0, "overlap_f1": 1.0},
        "refutes": {"exact_f1": 0.0, "overlap_f1": 0.0},
        "supports": {"exact_f1": 0.0, "overlap_f1": 0.0},
    }
    # One unit, media outlet against named person. Kappa: observed 0, chance 1·0 + 0·1 = 0, so
    # (0 - 0) / (1 - 0) = 0. Alpha: n = 2, o_cc = 0, n_c = 1 each: 1 - 1 · 2 / (4 - 2) = 0.
    assert report["attributes"] == {
        "per_attribute": {"attribution.source_type": {"alpha": 0.0, "units": 1}},
        "pairwise": [
            {
                "a": "ana",
                "b": "ben",
                "per_attribute": {
                    "attribution.source_type": {"kappa": 0.0, "units": 1, "agreed": 0}
                },
            }
        ],
    }
    assert report["pairwise"][0]["exact_f1"] == pytest.approx(2 * 2 / 6)  # the span figures stay


def test_compute_agreement_compares_the_attributes_it_is_given_even_unused_ones():
    report = compute_agreement(
        ANA + BEN,
        {"d1": 60},
        {"d1": ["ana", "ben"]},
        LABELS,
        bootstrap=0,
        attributes={"claim": ["certainty"]},
    )
    assert report["attributes"]["per_attribute"] == {"claim.certainty": {"alpha": None, "units": 0}}


def test_compute_agreement_without_links_or_attributes_reports_them_empty():
    report = compute_agreement(ANA + BEN, {"d1": 60}, {"d1": ["ana", "ben"]}, LABELS, bootstrap=0)
    assert report["relations"]["types"] == []
    assert report["relations"]["pairwise"][0]["exact_f1"] is None
    assert report["attributes"] == {
        "per_attribute": {},
        "pairwise": [{"a": "ana", "b": "ben", "per_attribute": {}}],
    }
