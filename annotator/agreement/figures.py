"""Every figure of an agreement report as rows of one table: what the agreement page's CSV
download holds, so a figure can be quoted or plotted without copying it off the page.

One row per figure: ``section`` (pairwise, breakdown, per_label, relations, attributes,
documents, over_time, vs_gold, sources), who (``a``, ``b``; ``b`` is "gold" for vs_gold), ``label``
("(all)" for a pair's micro-average, "(pooled)", "(micro)"), ``document`` (external id in the
documents section, the week's Monday in over_time), ``measure``, ``value``, the interval
(``ci_low``, ``ci_high``, empty without one) and ``documents`` (how many documents the figure
rests on). Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

HEADER = (
    "section",
    "a",
    "b",
    "label",
    "document",
    "measure",
    "value",
    "ci_low",
    "ci_high",
    "documents",
)
BREAKDOWN = ("exact", "boundary", "label", "only_a", "only_b")


def _row(section: str, measure: str, value: Any, ci: Any = None, **where: Any) -> list[Any]:
    low, high = ci if ci else ("", "")
    return [
        section,
        where.get("a", ""),
        where.get("b", ""),
        where.get("label", ""),
        where.get("document", ""),
        measure,
        "" if value is None else value,
        low,
        high,
        where.get("documents", ""),
    ]


def figure_rows(
    report: Mapping[str, Any],
    documents: Mapping[str, Any],
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    questions: Mapping[str, Mapping[str, Any]] | None = None,
    span_attributes: Mapping[str, Mapping[str, Any]] | None = None,
    answers_vs_gold: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> Iterator[list[Any]]:
    """Rows of every figure of ``report`` (`inputs.agreement`); ``documents`` maps document
    keys to their `DocumentRef` for the documents section. Last, the judgments: agreement per
    document question (`answers.questions_agreement`), per typed span attribute
    (`attribute_values.attributes_agreement`, ``label.attribute``) and on source links per
    label (`attribute_values.sources_agreement`); and each annotator's answers against the gold
    answers (`answers.answers_vs_gold`: section ``vs_gold``, the question as ``label``)."""
    n = report["documents"]
    for pair in report["pairwise"]:
        who = {"a": pair["a"], "b": pair["b"], "documents": pair["documents"]}
        for measure in ("exact_f1", "overlap_f1", "kappa"):
            yield _row(
                "pairwise", measure, pair[measure], pair[f"{measure}_ci"], label="(all)", **who
            )
        for label, values in pair["per_label"].items():
            for measure in ("exact_f1", "overlap_f1", "kappa"):
                yield _row(
                    "pairwise",
                    measure,
                    values[measure],
                    values[f"{measure}_ci"],
                    label=label,
                    **who,
                )
        for label, counts in pair["breakdown"].items():
            for kind in BREAKDOWN:
                yield _row("breakdown", kind, counts[kind], label=label, **who)
    for label, values in report["per_label"].items():
        for measure in ("alpha", "alpha_u"):
            yield _row(
                "per_label",
                measure,
                values[measure],
                values[f"{measure}_ci"],
                label=label,
                documents=n,
            )
    yield _row(
        "per_label",
        "alpha_u",
        report["alpha_u_pooled"],
        report["alpha_u_pooled_ci"],
        label="(pooled)",
        documents=n,
    )
    relations = report.get("relations") or {}
    for pair in relations.get("pairwise", []):
        who = {"a": pair["a"], "b": pair["b"], "documents": pair["documents"]}
        for measure in ("exact_f1", "overlap_f1"):
            yield _row("relations", measure, pair[measure], label="(all)", **who)
        for type_name, values in pair.get("per_type", {}).items():
            for measure in ("exact_f1", "overlap_f1"):
                yield _row("relations", measure, values.get(measure), label=type_name, **who)
    attributes = (report.get("attributes") or {}).get("per_attribute") or {}
    for name, values in attributes.items():
        yield _row("attributes", "alpha", values["alpha"], label=name)
        yield _row("attributes", "units", values["units"], label=name)
    for entry in report["documents_by_disagreement"]:
        ref = documents.get(entry["document"])
        document = ref.external_id if ref is not None else entry["document"]
        yield _row("documents", "disagreement", entry["disagreement"], document=document)
        yield _row("documents", "spans", entry["spans"], document=document)
    for week in report.get("over_time") or []:
        for measure in ("overlap_f1", "exact_f1"):
            yield _row(
                "over_time",
                measure,
                week[measure],
                label="(mean over pairs)",
                document=week["week"],
                documents=week["documents"],
            )
    for annotator, found in (report.get("vs_gold") or {}).items():
        who = {"a": annotator, "b": "gold", "documents": found["documents"]}
        for label, figures in [*found["per_label"].items(), ("(micro)", found["micro"])]:
            for mode in ("exact", "overlap"):
                for measure in ("precision", "recall", "f1"):
                    yield _row(
                        "vs_gold",
                        f"{mode}_{measure}",
                        figures[mode][measure],
                        figures[mode][f"{measure}_ci"],
                        label=label,
                        **who,
                    )
            yield _row("vs_gold", "spans", figures["spans"], label=label, **who)
            yield _row("vs_gold", "gold_spans", figures["gold"], label=label, **who)
    for question, found in (answers_vs_gold or {}).items():
        for annotator, against in found.items():
            who = {
                "a": annotator,
                "b": "gold",
                "label": question,
                "documents": against["documents"],
            }
            yield _row("vs_gold", "answers_agreed", against["agreed"], **who)
            yield _row("vs_gold", "answers_share", against["share"], **who)
            if against["mean_difference"] is not None:
                yield _row("vs_gold", "answers_mean_difference", against["mean_difference"], **who)
    for section, named in (
        ("questions", questions),
        ("span_attributes", span_attributes),
        ("sources", sources),
    ):
        for name, figures in (named or {}).items():
            yield from _judgment_rows(section, name, figures)


def _judgment_rows(section: str, name: str, figures: Mapping[str, Any]) -> Iterator[list[Any]]:
    """Rows of one question, span attribute or label's source links: alpha (with its level and
    interval), units, kappa per pair, and each disagreeing document when the figures name them."""
    yield _row(section, "alpha", figures["alpha"], figures.get("alpha_interval"), label=name)
    if figures.get("level"):
        yield _row(section, "level", figures["level"], label=name)
    yield _row(section, "units", figures["units"], label=name)
    for pair in figures.get("kappa") or []:
        a, b = pair["annotators"]
        yield _row(section, "kappa", pair["kappa"], label=name, a=a, b=b)
    for ref in figures.get("disagreeing") or []:
        yield _row(section, "disagreeing", 1, label=name, document=ref["name"])
