"""Agreement on source links: do two annotators who marked the same attribution name the same
source (the project's source registry)? Pure: no Flask, no database.

The units are those of span attributes (``agreement.attributes.matched_units``): the spans of a
label that links sources, joined across annotators by overlap matching. An annotator's value in a
unit is the source their span names, or ``NO_SOURCE`` when it names none: leaving a source out
where another annotator picked one is a disagreement, and two annotators who both left it out
agree. The figures are nominal Krippendorff's alpha and pairwise Cohen's kappa, with the
bootstrap resampling documents, exactly as for a single-choice attribute, since a source link is
one: the choice among the registry's sources (and none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from annotator.agreement.attributes import attribute_agreement
from annotator.agreement.matching import Span
from annotator.agreement.questions import QuestionAgreement

NO_SOURCE = ""
"""The value of a span that names no source (a source's name is never empty)."""
_FIELD = "source"


class SourceAgreement(QuestionAgreement):
    """Agreement on the source links of one label; ``disagreeing``: document keys where the
    annotators of a unit named different sources (or one named none), most such units first."""

    label: str
    disagreeing: list[str]


def source_agreement(
    spans: Sequence[Span],
    named: Mapping[str, str],
    labels: Sequence[str],
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, SourceAgreement]:
    """Agreement per label of ``labels`` (those whose spans may name a source), in that order.

    ``named``: span id -> the name of the source the span names (spans absent name none).
    """
    chosen = set(labels)
    valued = [
        replace(span, attributes={_FIELD: named.get(span.id or "", NO_SOURCE)})
        for span in spans
        if span.label in chosen
    ]
    choices = sorted({NO_SOURCE, *(span.attributes[_FIELD] for span in valued)})
    definition = {"name": _FIELD, "kind": "single", "choices": choices}
    figures = attribute_agreement(
        valued, {label: [definition] for label in labels}, bootstrap=bootstrap, seed=seed
    )
    out: dict[str, SourceAgreement] = {}
    for label in labels:
        item = figures[f"{label}.{_FIELD}"]
        out[label] = {
            "kind": item["kind"],
            "level": item["level"],
            "alpha": item["alpha"],
            "alpha_interval": item["alpha_interval"],
            "units": item["units"],
            "weights": item["weights"],
            "kappa": item["kappa"],
            "mean_kappa": item["mean_kappa"],
            "label": label,
            "disagreeing": item["disagreeing"],
        }
    return out
