"""Agreement on links between spans (relation F1) and on the attributes of spans (kappa, alpha).

A link of annotator a matches a link of b when the types agree and its source and target are
matched (by `annotator.agreement.matching`'s exact matching, or its overlap matching, the one
overlap F1 uses) to the source and target of b's link. Attribute kappa compares two annotators over
their exactly matched spans that both gave a value; attribute alpha takes every distinct
(document, label, start, end) as a unit, an unset attribute being a missing value.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import NamedTuple, TypedDict

import numpy as np

from annotator.agreement.matching import (
    F1,
    Relation,
    Span,
    exact_matching,
    matching,
    pair_columns,
)
from annotator.agreement.reliability import (
    cohen_kappa,
    krippendorff_alpha_nominal,
)


class Kappa(NamedTuple):
    """Cohen's kappa of one attribute between two annotators: None when undefined; ``units``
    matched spans where both gave a value, ``agreed`` of them with the same value."""

    kappa: float | None
    units: int
    agreed: int


# ---------------------------------------------------------------- the report's parts


class LinkCounts(TypedDict):
    """Links matched (``tp``) and made by each side of a pair."""

    tp: int
    n_a: int
    n_b: int


class TypeFigures(TypedDict):
    exact_f1: float | None
    overlap_f1: float | None


class RelationPair(TypedDict):
    """Link F1 of two annotators on the documents both finished: ends matched as in span F1
    (exact or overlap), types equal. F1 is None when neither made a link."""

    a: str
    b: str
    documents: int
    exact_f1: float | None
    exact: LinkCounts
    overlap_f1: float | None
    overlap: LinkCounts
    per_type: dict[str, TypeFigures]


class RelationReport(TypedDict):
    types: list[str]
    """The link types used, sorted."""
    pairwise: list[RelationPair]


class KappaFigures(TypedDict):
    """`Kappa` as the report writes it."""

    kappa: float | None
    units: int
    agreed: int


class AttributePair(TypedDict):
    a: str
    b: str
    per_attribute: dict[str, KappaFigures]
    """Keyed by "label.attribute"."""


class AttributeAlpha(TypedDict):
    alpha: float | None
    units: int
    """Pairable units: spans (document, label, start, end) with at least two values."""


class AttributeReport(TypedDict):
    per_attribute: dict[str, AttributeAlpha]
    pairwise: list[AttributePair]


def _kappa_figures(kappa: Kappa) -> KappaFigures:
    return {"kappa": kappa.kappa, "units": kappa.units, "agreed": kappa.agreed}


def _matched_ids(
    spans_a: Iterable[Span], spans_b: Iterable[Span], modes: Sequence[str]
) -> dict[str, dict[str, str]]:
    """Per mode ("exact", "overlap"): span id of a -> id of its partner in b under span F1's
    matching in that mode."""
    a, sorted_a, b, sorted_b, n_labels, stride = pair_columns(spans_a, spans_b)
    found = {}
    for mode in modes:
        i, j = matching(a, b, n_labels, stride, mode)
        found[mode] = {
            sorted_a[x].id: sorted_b[y].id for x, y in zip(i.tolist(), j.tolist(), strict=True)
        }
    return found


def _relation_tp(
    relations_a: Sequence[Relation], relations_b: Sequence[Relation], partner: Mapping[str, str]
) -> int:
    wanted = Counter((r.source, r.target, r.type) for r in relations_b)
    tp = 0
    for relation in relations_a:
        source, target = partner.get(relation.source), partner.get(relation.target)
        if source is None or target is None:
            continue
        key = (source, target, relation.type)
        if wanted[key] > 0:
            wanted[key] -= 1
            tp += 1
    return tp


def _joining(relations: Iterable[Relation], spans: Iterable[Span]) -> list[Relation]:
    """The relations whose two ends are among ``spans`` (of the relation's annotator)."""
    ids = {(s.annotator, s.id) for s in spans if s.id is not None}
    return [
        r for r in relations if (r.annotator, r.source) in ids and (r.annotator, r.target) in ids
    ]


def relation_f1(
    spans_a: Iterable[Span],
    spans_b: Iterable[Span],
    relations_a: Iterable[Relation],
    relations_b: Iterable[Relation],
    mode: str = "exact",
    type: str | None = None,
) -> F1:
    """Relation F1 between annotators a and b (micro-averaged over the documents given, and over
    all relation types unless ``type`` picks one).

    A relation of a matches one of b when a's source span is matched to b's source span, a's
    target to b's target, and the types are equal. Spans are matched one-to-one exactly as by
    `span_f1` in ``mode`` ("exact" or "overlap"; same label either way), so a relation matches at
    most once. Relations whose ends are not among the given spans (e.g. of an unfinished
    document) are left out. f1 is None when neither side has a relation.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"mode must be 'exact' or 'overlap', not {mode!r}")
    spans_a, spans_b = list(spans_a), list(spans_b)
    links_a = [r for r in _joining(relations_a, spans_a) if type is None or r.type == type]
    links_b = [r for r in _joining(relations_b, spans_b) if type is None or r.type == type]
    if not links_a or not links_b:
        tp = 0
    else:
        tp = _relation_tp(links_a, links_b, _matched_ids(spans_a, spans_b, [mode])[mode])
    total = len(links_a) + len(links_b)
    return F1(2 * tp / total if total else None, tp, len(links_a), len(links_b))


def _hashable(value: object) -> object:
    """A value as these nominal figures compare it: several choices as one category (their JSON)."""
    return json.dumps(value) if isinstance(value, list) else value


def attribute_kappa(
    spans_a: Iterable[Span], spans_b: Iterable[Span], label: str, attribute: str
) -> Kappa:
    """Cohen's kappa of ``attribute`` between a and b over their spans of ``label`` that match
    exactly (same document, label, start and end; one-to-one) and that both gave a value."""
    a, sorted_a, b, sorted_b, n_labels, stride = pair_columns(
        [s for s in spans_a if s.label == label], [s for s in spans_b if s.label == label]
    )
    i, j = exact_matching(a, b, n_labels, stride)
    pairs = [
        (
            _hashable(sorted_a[x].attributes.get(attribute)),
            _hashable(sorted_b[y].attributes.get(attribute)),
        )
        for x, y in zip(i.tolist(), j.tolist(), strict=True)
    ]
    pairs = [(u, v) for u, v in pairs if u is not None and v is not None]
    if not pairs:
        return Kappa(None, 0, 0)
    values_a, values_b = zip(*pairs, strict=True)
    agreed = sum(u == v for u, v in pairs)
    return Kappa(cohen_kappa(list(values_a), list(values_b)), len(pairs), agreed)


def attribute_alpha(
    spans: Iterable[Span], label: str, attribute: str, annotators: Sequence[str] | None = None
) -> tuple[float | None, int]:
    """Krippendorff's nominal alpha of ``attribute`` across annotators, and the number of
    pairable units (with at least two values).

    A unit is a distinct (document, label, start, end) of ``label``; an annotator's value there is
    that of their span with that key (the first by id if they have several), missing when they
    have no such span or left the attribute unset.
    """
    spans = [s for s in spans if s.label == label]
    if annotators is None:
        annotators = sorted({s.annotator for s in spans})
    coder = {name: k for k, name in enumerate(annotators)}
    units: dict[tuple[str, int, int], list[object]] = {}
    for span in sorted(spans, key=lambda s: (s.document, s.start, s.end, s.id or "")):
        if span.annotator not in coder:
            continue
        row = units.setdefault((span.document, span.start, span.end), [None] * len(annotators))
        if row[coder[span.annotator]] is None:
            row[coder[span.annotator]] = _hashable(span.attributes.get(attribute))
    pairable = [row for row in units.values() if sum(v is not None for v in row) >= 2]
    if not pairable:
        return None, 0
    data = np.array(pairable, dtype=object).T
    return krippendorff_alpha_nominal(data), len(pairable)


def _attribute_names(spans: Iterable[Span], labels: Sequence[str]) -> list[tuple[str, str]]:
    """(label, attribute) pairs that some span gives a value, in label order, then by name."""
    used: dict[str, set[str]] = {label: set() for label in labels}
    for span in spans:
        if span.label in used:
            used[span.label].update(
                name for name, value in span.attributes.items() if value is not None
            )
    return [(label, name) for label in labels for name in sorted(used[label])]


def _links_f1(
    links_a: list[Relation],
    links_b: list[Relation],
    partner: Mapping[str, str],
    type_name: str | None = None,
) -> F1:
    side_a = [r for r in links_a if type_name is None or r.type == type_name]
    side_b = [r for r in links_b if type_name is None or r.type == type_name]
    tp = _relation_tp(side_a, side_b, partner)
    total = len(side_a) + len(side_b)
    return F1(2 * tp / total if total else None, tp, len(side_a), len(side_b))


def _counts(result: F1) -> LinkCounts:
    return {"tp": result.tp, "n_a": result.n_a, "n_b": result.n_b}


def _relation_pair(
    names: tuple[str, str, int],
    spans_a: list[Span],
    spans_b: list[Span],
    links_a: list[Relation],
    links_b: list[Relation],
    types: list[str],
) -> RelationPair:
    """One pair's entry of the report's "relations"; ``names`` are a, b and the number of
    documents both finished."""
    matched: dict[str, dict[str, str]] = {"exact": {}, "overlap": {}}
    if links_a and links_b:
        matched = _matched_ids(spans_a, spans_b, list(matched))
    exact = _links_f1(links_a, links_b, matched["exact"])
    overlap = _links_f1(links_a, links_b, matched["overlap"])
    a, b, documents = names
    return {
        "a": a,
        "b": b,
        "documents": documents,
        "exact_f1": exact.f1,
        "exact": _counts(exact),
        "overlap_f1": overlap.f1,
        "overlap": _counts(overlap),
        "per_type": {
            name: {
                "exact_f1": _links_f1(links_a, links_b, matched["exact"], name).f1,
                "overlap_f1": _links_f1(links_a, links_b, matched["overlap"], name).f1,
            }
            for name in types
        },
    }


def links_and_attributes(
    kept: list[Span],
    relations: Iterable[Relation],
    docs: list[str],
    coverage: np.ndarray,
    annotators: list[str],
    labels: list[str],
    attributes: Mapping[str, Sequence[str]] | None,
) -> tuple[RelationReport, AttributeReport]:
    """The "relations" and "attributes" parts of `compute_agreement`'s report."""
    links = _joining(relations, kept)
    if attributes is None:
        names = _attribute_names(kept, labels)
    else:
        names = [(label, name) for label in labels for name in attributes.get(label, ())]
    types = sorted({r.type for r in links})
    by_annotator: dict[str, list[Span]] = {name: [] for name in annotators}
    if links or names:  # else nothing to compare: big studies without either skip the spans
        for span in kept:
            by_annotator[span.annotator].append(span)
    relation_pairs: list[RelationPair] = []
    attribute_pairs: list[AttributePair] = []
    for ia, ib in combinations(range(len(annotators)), 2):
        shared = {docs[d] for d in np.flatnonzero(coverage[:, ia] & coverage[:, ib]).tolist()}
        a_name, b_name = annotators[ia], annotators[ib]
        spans_a = [s for s in by_annotator[a_name] if s.document in shared]
        spans_b = [s for s in by_annotator[b_name] if s.document in shared]
        links_a = [r for r in links if r.annotator == a_name and r.document in shared]
        links_b = [r for r in links if r.annotator == b_name and r.document in shared]
        relation_pairs.append(
            _relation_pair((a_name, b_name, len(shared)), spans_a, spans_b, links_a, links_b, types)
        )
        attribute_pairs.append(
            {
                "a": a_name,
                "b": b_name,
                "per_attribute": {
                    f"{label}.{name}": _kappa_figures(
                        attribute_kappa(spans_a, spans_b, label, name)
                    )
                    for label, name in names
                },
            }
        )
    per_attribute: dict[str, AttributeAlpha] = {}
    for label, name in names:
        alpha, units = attribute_alpha(kept, label, name, annotators)
        per_attribute[f"{label}.{name}"] = {"alpha": alpha, "units": units}
    return (
        {"types": types, "pairwise": relation_pairs},
        {"per_attribute": per_attribute, "pairwise": attribute_pairs},
    )
