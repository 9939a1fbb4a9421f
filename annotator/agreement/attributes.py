"""Agreement on typed span attributes, over spans the annotators matched. Pure: no Flask, no DB.

A unit is one stretch of text several annotators marked with the same label: the spans of a
document joined by the overlap matching of every pair of annotators (``matching.overlap_matching``,
the one overlap F1 uses), taken as connected groups. An annotator's value in a unit is that of
their span there (the first by offsets if a chain of overlaps joined two of theirs); a span
without a value for the attribute is a missing value. The figures are those of document
questions (``agreement.questions.question_agreement``) at the level of the attribute's kind
(``annotation.value_types.LEVELS``), with the bootstrap resampling documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

from annotator.agreement.links import _matched_ids
from annotator.agreement.matching import Span
from annotator.agreement.questions import QuestionAgreement, question_agreement
from annotator.annotation.value_types import spec_of

Unit = tuple[str, int]
"""(document key, number of the group of matched spans in the project)."""


class AttributeAgreement(QuestionAgreement):
    """Agreement on one attribute of one label; ``disagreeing``: document keys where the
    annotators of a unit gave different values, most such units first."""

    label: str
    attribute: str
    disagreeing: list[str]


def matched_units(spans: Iterable[Span], label: str) -> dict[Unit, dict[str, Span]]:
    """The groups of ``label`` spans that pairwise overlap matching joins: unit -> annotator ->
    span. A span nobody else matched is a unit of one (not pairable)."""
    spans = sorted(
        (span for span in spans if span.label == label),
        key=lambda s: (s.document, s.start, s.end, s.annotator, s.id or ""),
    )
    by_annotator: dict[str, list[Span]] = {}
    for span in spans:
        by_annotator.setdefault(span.annotator, []).append(span)
    parent = {span.id: span.id for span in spans}

    def root(node: str | None) -> str | None:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for first, second in combinations(sorted(by_annotator), 2):
        pairs = _matched_ids(by_annotator[first], by_annotator[second], ["overlap"])["overlap"]
        for a, b in pairs.items():
            parent[root(a)] = root(b)
    numbers: dict[str | None, int] = {}
    units: dict[Unit, dict[str, Span]] = {}
    for span in spans:
        number = numbers.setdefault(root(span.id), len(numbers))
        units.setdefault((span.document, number), {}).setdefault(span.annotator, span)
    return units


def attribute_agreement(
    spans: Sequence[Span],
    definitions: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, AttributeAgreement]:
    """Agreement per attribute of each label (``definitions``: label -> ``Label.attributes``),
    keyed ``label.attribute``, in label then definition order."""
    out: dict[str, AttributeAgreement] = {}
    for label, items in definitions.items():
        if not items:
            continue
        units = matched_units(spans, label)
        for item in items:
            spec = spec_of(item)
            answers: dict[Hashable, dict[str, Any]] = {}
            for unit, members in units.items():
                values = {
                    name: span.attributes[spec.name]
                    for name, span in members.items()
                    if spec.name in span.attributes
                }
                if values:
                    answers[unit] = values
            figures = question_agreement(
                spec.kind,
                answers,
                choices=spec.choices,
                minimum=spec.minimum,
                maximum=spec.maximum,
                bootstrap=bootstrap,
                seed=seed,
                group_of=lambda unit: unit[0],  # type: ignore[index]
            )
            disputed = Counter(
                unit[0]  # type: ignore[index]
                for unit, values in answers.items()
                if figures["level"]
                and len(values) >= 2
                and len({repr(v) for v in values.values()}) > 1
            )
            out[f"{label}.{spec.name}"] = {
                **figures,
                "label": label,
                "attribute": spec.name,
                "disagreeing": [document for document, _count in disputed.most_common()],
            }
    return out
