"""Inter-annotator agreement on labelled character spans.

A span is (document, annotator, label, start, end) with Unicode code-point offsets, half-open
[start, end). Only the spans of documents an annotator *finished* count: a document is compared
for a pair of annotators when both finished it, and for alpha / alpha_u when at least two
annotators finished it (the others are missing values there, not "marked nothing").

Measures:
- span F1, exact (same document, label, start and end) and overlap (same document and label,
  ranges share a character; a maximum one-to-one matching, see
  `annotator.agreement.matching.overlap_matching`), micro-averaged;
- Cohen's kappa and Krippendorff's nominal alpha per label, with every character of every compared
  document a unit (1 if one of the annotator's spans of that label covers it, else 0);
- Krippendorff's unitizing alpha_u per label and pooled (see `annotator.agreement.reliability`);
- percentile-bootstrap confidence intervals, resampling compared documents with replacement;
- relation F1: a link of a matches a link of b when its source and its target match (one-to-one,
  as in span F1, under exact or overlap span match) the source and target of b's link and the
  types agree;
- attribute agreement: Cohen's kappa per (label, attribute) between two annotators over their
  exactly matched spans that both gave a value, and Krippendorff's nominal alpha across annotators
  with each distinct (document, label, start, end) a unit and an unset attribute a missing value.

Pure functions: no Flask, no database. `compute_agreement` is what the CLI and pages call. The
matching of spans lives in `annotator.agreement.matching`, links and attributes in
`annotator.agreement.links`, the reliability coefficients in
`annotator.agreement.reliability`; this module puts them together, with the bootstrap, and is the
one to import from.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial
from itertools import combinations
from typing import TypedDict

import numpy as np

from annotator.agreement.links import (
    AttributeReport,
    Kappa,
    RelationReport,
    attribute_alpha,
    attribute_kappa,
    links_and_attributes,
    relation_f1,
)
from annotator.agreement.matching import (
    BOUNDARY,
    EXACT,
    F1,
    KINDS,
    LABEL,
    MISSING,
    Relation,
    Span,
    classify_columns,
    classify_pair,
    disagreement_breakdown,
    exact_matching,
    span_columns,
    span_f1,
    with_only_keys,
)
from annotator.agreement.reliability import (
    Intervals,
    alpha_from_coincidences,
    cohen_kappa,
    covered_depth,
    kappa_from_counts,
    krippendorff_alpha_nominal,
    merge_overlapping,
    overlapping_pairs,
    unitizing_alpha,
    unitizing_disagreements,
    unitizing_statistics,
)

__all__ = [
    "F1",
    "AgreementReport",
    "KINDS",
    "Kappa",
    "Relation",
    "Span",
    "attribute_alpha",
    "attribute_kappa",
    "classify_pair",
    "cohen_kappa",
    "compute_agreement",
    "disagreement_breakdown",
    "krippendorff_alpha_nominal",
    "relation_f1",
    "span_f1",
    "unitizing_alpha",
]

# ---------------------------------------------------------------- the report

Interval = list[float] | None
"""A percentile bootstrap interval [low, high]; None without draws or where never defined."""


class PairLabelFigures(TypedDict):
    exact_f1: float | None
    overlap_f1: float | None
    kappa: float | None
    exact_f1_ci: Interval
    overlap_f1_ci: Interval
    kappa_ci: Interval


class PairFigures(TypedDict):
    """Two annotators on the documents both finished. ``kappa`` is the mean of the defined
    per-label kappas; ``breakdown`` is `disagreement_breakdown`'s counts per label."""

    a: str
    b: str
    documents: int
    exact_f1: float | None
    overlap_f1: float | None
    exact_f1_ci: Interval
    overlap_f1_ci: Interval
    kappa: float | None
    kappa_ci: Interval
    per_label: dict[str, PairLabelFigures]
    breakdown: dict[str, dict[str, int]]


class LabelReliability(TypedDict):
    """Krippendorff's character-level alpha and unitizing alpha_u of one label."""

    alpha: float | None
    alpha_u: float | None
    alpha_ci: Interval
    alpha_u_ci: Interval


class RankedDocument(TypedDict):
    document: str
    disagreement: float
    """1 - the mean over pairs who both finished it of their overlap F1 on it (0: agreed)."""
    spans: int


class AgreementReport(TypedDict):
    """What `compute_agreement` returns (JSON-serialisable, keys in this order): see there."""

    documents: int
    annotators: list[str]
    labels: list[str]
    bootstrap: int
    confidence: float
    pairwise: list[PairFigures]
    per_label: dict[str, LabelReliability]
    alpha_u_pooled: float | None
    alpha_u_pooled_ci: Interval
    documents_by_disagreement: list[RankedDocument]
    relations: RelationReport
    attributes: AttributeReport


# ---------------------------------------------------------------- bootstrap


def _resample(
    rng: np.random.Generator, n_docs: int, draws: int, measure: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """``measure`` of each bootstrap draw, stacked. A draw is a weight per document: how often it
    was picked when resampling n_docs documents with replacement. Sufficient statistics are sums
    over documents, so a draw's statistics are ``weights @ per_document``. Chunked to bound memory.
    """
    rows = max(1, 2_000_000 // max(n_docs, 1))
    out = []
    for first in range(0, draws, rows):
        count = min(rows, draws - first)
        picks = rng.integers(0, n_docs, size=(count, n_docs))
        picks += n_docs * np.arange(count)[:, None]
        weights = np.bincount(picks.ravel(), minlength=count * n_docs)
        out.append(measure(weights.reshape(count, n_docs).astype(float)))
    return np.concatenate(out)


def _interval(samples: np.ndarray, confidence: float) -> list[float] | None:
    """Percentile interval of the draws where the measure is defined; None if none is."""
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return None
    tail = (1 - confidence) / 2
    return [float(q) for q in np.quantile(samples, [tail, 1 - tail])]


def _value(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


# ---------------------------------------------------------------- compute_agreement


def _drawn_pair_measures(stats: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`_pair_measures` of bootstrap draws: ``weights`` (draws x documents) of ``stats``."""
    return _pair_measures(np.tensordot(weights, stats, 1))


def _pair_measures(sums: np.ndarray) -> np.ndarray:
    """F1 and kappa from summed pair statistics (..., 8, labels) -> (..., 3, labels + 1).

    Rows: exact F1, overlap F1, kappa. The last column is the whole pair: F1 micro-averaged over
    labels, kappa the mean of the defined per-label kappas.
    """
    tp_exact, tp_overlap, n_a, n_b, n11, n10, n01, n00 = np.moveaxis(sums, -2, 0)
    out = np.full((*sums.shape[:-2], 3, sums.shape[-1] + 1), np.nan)
    for row, tp in enumerate((tp_exact, tp_overlap)):
        with np.errstate(invalid="ignore", divide="ignore"):
            out[..., row, :-1] = np.where(n_a + n_b > 0, 2 * tp / (n_a + n_b), np.nan)
            total = (n_a + n_b).sum(-1)
            out[..., row, -1] = np.where(total > 0, 2 * tp.sum(-1) / total, np.nan)
    kappa = kappa_from_counts(n11, n10, n01, n00)
    out[..., 2, :-1] = kappa
    defined = np.isfinite(kappa).sum(-1)
    kappa_sum = np.where(np.isfinite(kappa), kappa, 0).sum(-1)
    out[..., 2, -1] = np.where(defined > 0, kappa_sum / np.maximum(defined, 1), np.nan)
    return out


def _compare_pair(
    table: Intervals,
    merged: Intervals,
    pair: tuple[int, int],
    coverage: np.ndarray,
    doc_lengths: np.ndarray,
    n_labels: int,
    stride: int,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Per shared document statistics of one pair: (docs, stats docs x 8 x labels, breakdown)."""
    ia, ib = pair
    shared = coverage[:, ia] & coverage[:, ib]
    docs = np.flatnonzero(shared)
    local = np.full(shared.size, -1)
    local[docs] = np.arange(docs.size)
    size = docs.size * n_labels

    def side(cols: Intervals, rater: int) -> Intervals:
        return cols.take(np.flatnonzero((cols.rater == rater) & shared[cols.doc]))

    def per_cell(cols: Intervals, weights: np.ndarray | None = None) -> np.ndarray:
        cells = local[cols.doc] * n_labels + cols.label
        counts = np.bincount(cells, weights=weights, minlength=size)
        return counts.reshape(docs.size, n_labels).astype(float)

    a, b = side(table, ia), side(table, ib)
    kind_a, _, kind_b, _ = classify_columns(a, b, n_labels, stride)
    exact = np.zeros(len(a))
    exact[exact_matching(a, b, n_labels, stride)[0]] = 1
    ma, mb = side(merged, ia), side(merged, ib)
    i, j = overlapping_pairs(ma, mb, n_labels, stride)
    common = np.minimum(ma.end[i], mb.end[j]) - np.maximum(ma.start[i], mb.start[j])
    n11 = per_cell(ma.take(i), common.astype(float))
    n10 = per_cell(ma, (ma.end - ma.start).astype(float)) - n11
    n01 = per_cell(mb, (mb.end - mb.start).astype(float)) - n11
    n00 = doc_lengths[docs][:, None] - n11 - n10 - n01
    stats = np.stack(
        [
            per_cell(a, exact),
            per_cell(a, (kind_a <= BOUNDARY).astype(float)),
            per_cell(a),
            per_cell(b),
            n11,
            n10,
            n01,
            n00,
        ],
        axis=1,
    )
    breakdown = {
        "exact": per_cell(a, (kind_a == EXACT).astype(float)).sum(0),
        "boundary": per_cell(a, (kind_a == BOUNDARY).astype(float)).sum(0),
        "label": per_cell(a, (kind_a == LABEL).astype(float)).sum(0),
        "missing_a": per_cell(b, (kind_b == MISSING).astype(float)).sum(0),
        "missing_b": per_cell(a, (kind_a == MISSING).astype(float)).sum(0),
    }
    return docs, stats, breakdown


def compute_agreement(
    spans: Iterable[Span],
    lengths: Mapping[str, int],
    finished: Mapping[str, Collection[str]],
    labels: Sequence[str],
    annotators: Sequence[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    relations: Iterable[Relation] = (),
    attributes: Mapping[str, Sequence[str]] | None = None,
) -> AgreementReport:
    """Agreement report of a project (`AgreementReport`), JSON-serialisable.

    ``lengths``: document key -> text length in code points; ``finished``: document key ->
    annotators who finished it. Spans of unfinished (document, annotator) pairs, of annotators
    outside ``annotators`` (default: everyone who finished something, sorted) and of labels outside
    ``labels`` are ignored; a kept span outside its document raises ValueError. Measures that are
    undefined (no documents, no span on either side, no variation) are None; F1 lies in 0..1.

    ``documents`` counts the compared documents (>= 2 annotators finished); ``pairwise`` has
    every pair of annotators (`PairFigures`), ``per_label`` alpha and alpha_u
    (`LabelReliability`). A document's disagreement is 1 - the mean over annotator pairs who
    both finished it of the pair's overlap F1 on it, where a pair with no span there counts as
    full agreement (so a document nobody marked scores 0); sorted most disputed first, then by
    number of spans (descending) and key. Intervals are percentile bootstrap intervals over
    ``bootstrap`` draws (None when 0) of the compared documents (a pair's: its shared ones),
    from ``numpy.random.default_rng(seed)``, over the draws where the measure is defined.

    ``relations`` (whose ends are span ids, so spans need their ``id``) and span ``attributes``
    give two more keys, without intervals: "relations" (`RelationReport`: link F1 of
    `relation_f1` per pair) and "attributes" (`AttributeReport`: `attribute_alpha` per
    "label.attribute", `attribute_kappa` per pair). The attributes compared are
    ``attributes`` (label -> names) or, when None, every one some kept span gives a value.
    Relations and spans of unfinished documents, and relations whose ends are not kept spans,
    are left out.
    """
    if bootstrap < 0 or not 0 < confidence < 1:
        raise ValueError("bootstrap must be >= 0 and confidence strictly between 0 and 1")
    labels = list(dict.fromkeys(labels))
    if annotators is None:
        annotators = sorted({name for names in finished.values() for name in names})
    annotators = list(dict.fromkeys(annotators))
    annotator_index = {name: k for k, name in enumerate(annotators)}
    label_index = {label: k for k, label in enumerate(labels)}
    docs = sorted(
        doc for doc, names in finished.items() if len(annotator_index.keys() & set(names)) >= 2
    )
    doc_index = {doc: k for k, doc in enumerate(docs)}
    unknown = [doc for doc in docs if doc not in lengths]
    if unknown:
        raise ValueError(f"no length for finished document {unknown[0]!r}")
    doc_lengths = np.array([lengths[doc] for doc in docs], np.int64)
    coverage = np.zeros((len(docs), len(annotators)), bool)
    for doc, k in doc_index.items():
        for name in set(finished[doc]) & annotator_index.keys():
            coverage[k, annotator_index[name]] = True
    table, kept = span_columns(
        spans, doc_index, label_index, annotator_index, coverage, doc_lengths
    )
    stride = int(doc_lengths.max(initial=0)) + 1
    merged = merge_overlapping(table, stride)
    n_labels, n_docs = len(labels), len(docs)
    rng = np.random.default_rng(seed)

    def interval(n: int, measure: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
        return _resample(rng, n, bootstrap, measure) if bootstrap > 0 and n > 0 else None

    def ci(draws: np.ndarray | None, row: int, column: int) -> Interval:
        return None if draws is None else _interval(draws[:, row, column], confidence)

    pairwise: list[PairFigures] = []
    agreement_sum, agreement_pairs = np.zeros(n_docs), np.zeros(n_docs)
    for ia, ib in combinations(range(len(annotators)), 2):
        pair_docs, stats, breakdown = _compare_pair(
            table, merged, (ia, ib), coverage, doc_lengths, n_labels, stride
        )
        point = _pair_measures(stats.sum(0))
        draws = interval(pair_docs.size, partial(_drawn_pair_measures, stats))
        tp, found = stats[:, 1].sum(1), stats[:, 2:4].sum((1, 2))
        agreement_sum[pair_docs] += np.where(found > 0, 2 * tp / np.maximum(found, 1), 1.0)
        agreement_pairs[pair_docs] += 1
        entry: PairFigures = {
            "a": annotators[ia],
            "b": annotators[ib],
            "documents": int(pair_docs.size),
            "exact_f1": _value(point[0, -1]),
            "overlap_f1": _value(point[1, -1]),
            "exact_f1_ci": ci(draws, 0, -1),
            "overlap_f1_ci": ci(draws, 1, -1),
            "kappa": _value(point[2, -1]),
            "kappa_ci": ci(draws, 2, -1),
            "per_label": {
                label: {
                    "exact_f1": _value(point[0, k]),
                    "overlap_f1": _value(point[1, k]),
                    "kappa": _value(point[2, k]),
                    "exact_f1_ci": ci(draws, 0, k),
                    "overlap_f1_ci": ci(draws, 1, k),
                    "kappa_ci": ci(draws, 2, k),
                }
                for k, label in enumerate(labels)
            },
            "breakdown": {
                label: with_only_keys({kind: int(breakdown[kind][k]) for kind in KINDS})
                for k, label in enumerate(labels)
            },
        }
        pairwise.append(entry)

    per_label, pooled, pooled_ci = _reliability(
        merged, coverage, doc_lengths, labels, interval, confidence
    )
    relation_report, attribute_report = links_and_attributes(
        kept, relations, docs, coverage, annotators, labels, attributes
    )
    spans_per_doc = np.bincount(table.doc, minlength=n_docs)
    disagreement = 1 - agreement_sum / np.maximum(agreement_pairs, 1)
    ranking = sorted(range(n_docs), key=lambda d: (-disagreement[d], -spans_per_doc[d], docs[d]))
    return {
        "documents": n_docs,
        "annotators": annotators,
        "labels": labels,
        "bootstrap": int(bootstrap),
        "confidence": float(confidence),
        "pairwise": pairwise,
        "per_label": per_label,
        "alpha_u_pooled": pooled,
        "alpha_u_pooled_ci": pooled_ci,
        "documents_by_disagreement": [
            {
                "document": docs[d],
                "disagreement": float(disagreement[d]),
                "spans": int(spans_per_doc[d]),
            }
            for d in ranking
        ],
        "relations": relation_report,
        "attributes": attribute_report,
    }


def _reliability(
    merged: Intervals,
    coverage: np.ndarray,
    doc_lengths: np.ndarray,
    labels: list[str],
    interval: Callable[[int, Callable[[np.ndarray], np.ndarray]], np.ndarray | None],
    confidence: float,
) -> tuple[dict[str, LabelReliability], float | None, Interval]:
    """Character-level alpha and alpha_u per label, pooled alpha_u, with intervals."""
    n_docs, n_raters = coverage.shape
    n_labels = len(labels)
    stride = int(doc_lengths.max(initial=0)) + 1
    m = coverage.sum(1).astype(float)
    depth = covered_depth(merged, n_docs, n_labels, stride, n_raters)
    depth[..., 0] = doc_lengths[:, None] - depth[..., 1:].sum(-1)
    k = np.arange(n_raters + 1, dtype=float)
    pairs = np.maximum(m - 1, 1)[:, None]
    coincidence = np.stack(  # docs x (o00, o01, o11) x labels
        [
            np.einsum("dlk,dk->dl", depth, weight / pairs)
            for weight in (
                (m[:, None] - k) * (m[:, None] - k - 1),
                k * (m[:, None] - k),
                k * (k - 1),
            )
        ],
        axis=1,
    )
    units = unitizing_statistics(merged, doc_lengths, coverage, n_labels)
    sizes = np.stack([doc_lengths.astype(float), m * doc_lengths], axis=1)

    def measures(weights: np.ndarray | None) -> np.ndarray:
        """alpha per label, alpha_u per label, pooled alpha_u: (draws, 2 * labels + 1)."""
        if weights is None:
            sums, (length, pairable) = coincidence.sum(0)[None], sizes.sum(0)[:, None]
        else:
            sums, (length, pairable) = np.tensordot(weights, coincidence, 1), (weights @ sizes).T
        alpha = alpha_from_coincidences(sums[:, 0], sums[:, 1], sums[:, 2])
        parts = [unitizing_disagreements(u, length, pairable, weights) for u in units]
        d_o = np.stack([p[0] for p in parts], axis=-1).reshape(len(length), n_labels)
        d_e = np.stack([p[1] for p in parts], axis=-1).reshape(len(length), n_labels)
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha_u = np.where(d_e > 0, 1 - d_o / d_e, np.nan)
            total = d_e.sum(-1)
            pooled = np.where(total > 0, 1 - d_o.sum(-1) / total, np.nan)
        return np.concatenate([alpha, alpha_u, pooled[:, None]], axis=1)

    point = measures(None)[0] if n_docs else np.full(2 * n_labels + 1, np.nan)
    draws = interval(n_docs, measures)

    def ci(column: int) -> Interval:
        return None if draws is None else _interval(draws[:, column], confidence)

    per_label: dict[str, LabelReliability] = {
        label: {
            "alpha": _value(point[k]),
            "alpha_u": _value(point[n_labels + k]),
            "alpha_ci": ci(k),
            "alpha_u_ci": ci(n_labels + k),
        }
        for k, label in enumerate(labels)
    }
    return per_label, _value(point[-1]), ci(2 * n_labels)
