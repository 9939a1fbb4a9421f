"""The agreement CSV's rows for the judgments: a document question, a typed span attribute and
source links each give alpha with its interval, level, units, kappa per pair and the disagreeing
documents (issue 16: "in the page, the CSV and the CLI JSON")."""

from __future__ import annotations

from annotator.agreement.answers import disagreeing_documents
from annotator.agreement.figures import HEADER, figure_rows

EMPTY_REPORT = {
    "documents": 0,
    "pairwise": [],
    "per_label": {},
    "alpha_u_pooled": None,
    "alpha_u_pooled_ci": None,
    "documents_by_disagreement": [],
}
CREDIBILITY = {
    "kind": "scale",
    "level": "ordinal",
    "alpha": 0.6,
    "alpha_interval": [0.2, 0.9],
    "units": 4,
    "weights": "quadratic",
    "kappa": [{"annotators": ["ana", "ben"], "kappa": 0.5, "units": 4}],
    "mean_kappa": 0.5,
}


def _rows(**judgments) -> list[dict[str, object]]:
    """The rows of the judgments alone (an empty report still has its pooled alpha row)."""
    rows = figure_rows(EMPTY_REPORT, {}, **judgments)
    return [dict(zip(HEADER, row, strict=True)) for row in rows if row[0] != "per_label"]


def test_a_question_gives_alpha_with_its_interval_level_units_and_kappa_per_pair():
    rows = _rows(questions={"credibility": CREDIBILITY})
    assert [(row["section"], row["label"], row["measure"], row["value"]) for row in rows] == [
        ("questions", "credibility", "alpha", 0.6),
        ("questions", "credibility", "level", "ordinal"),
        ("questions", "credibility", "units", 4),
        ("questions", "credibility", "kappa", 0.5),
    ]
    assert (rows[0]["ci_low"], rows[0]["ci_high"]) == (0.2, 0.9)
    assert (rows[3]["a"], rows[3]["b"]) == ("ana", "ben")


def test_attributes_and_source_links_name_their_disagreeing_documents_after_the_questions():
    disputed = {**CREDIBILITY, "disagreeing": [{"id": 3, "name": "doc-3"}]}
    rows = _rows(
        sources={"attribution": disputed},
        questions={"credibility": CREDIBILITY},
        span_attributes={"attribution.source_reliability": disputed},
    )
    assert [row["section"] for row in rows] == ["questions"] * 4 + ["span_attributes"] * 5 + [
        "sources"
    ] * 5
    assert [row["document"] for row in rows if row["measure"] == "disagreeing"] == [
        "doc-3",
        "doc-3",
    ]


def test_documents_answered_differently_come_most_distinct_answers_first():
    by_document = {
        7: {"ana": 3, "ben": 3},
        2: {"ana": ["war"], "ben": ["money", "war"], "cem": ["war"]},
        5: {"ana": 1, "ben": 4, "cem": 5},
        9: {"ana": 2},
    }
    assert disagreeing_documents(by_document) == [5, 2]
