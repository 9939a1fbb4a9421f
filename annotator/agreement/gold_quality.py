"""Annotator quality against the gold layer: precision, recall and F1 of each annotator's spans,
taking gold as the reference, per label and micro-averaged over labels.

Only *adjudicated* documents count (a document whose gold a curator marked adjudicated, or whose
gold came with an import): gold still being built would punish annotators for the curator's
unfinished work. On each, an annotator's spans count when they finished it. Exact: same label,
start and end (`exact_matching`); overlap: same label, ranges share a character, paired by the
maximum one-to-one matching every overlap figure uses (`overlap_matching`, through
`classify_columns`). Intervals are percentile bootstrap intervals over the annotator's
documents, like every interval of `compute_agreement`.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from annotator.agreement.matching import Span, span_columns
from annotator.agreement.reliability import merge_overlapping

# The pair statistics, the bootstrap and the rounding of every other figure: one way to count.
from annotator.agreement.report import _compare_pair, _interval, _resample, _value

GOLD = "\x00gold"
"""The annotator name gold spans take inside the computation (no account can be called so)."""
MODES = ("exact", "overlap")


def _prf(sums: np.ndarray) -> np.ndarray:
    """(..., 4, labels) summed statistics (tp exact, tp overlap, n annotator, n gold) ->
    (..., 2 modes, 3 measures, labels + 1): precision, recall, F1; the last column micro."""
    tp = sums[..., 0:2, :]
    n_a, n_g = sums[..., 2:3, :], sums[..., 3:4, :]
    tp = np.concatenate([tp, tp.sum(-1, keepdims=True)], axis=-1)
    n_a = np.concatenate([n_a, n_a.sum(-1, keepdims=True)], axis=-1)
    n_g = np.concatenate([n_g, n_g.sum(-1, keepdims=True)], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(n_a > 0, tp / n_a, np.nan)
        recall = np.where(n_g > 0, tp / n_g, np.nan)
        f1 = np.where(n_a + n_g > 0, 2 * tp / (n_a + n_g), np.nan)
    return np.stack([precision, recall, f1], axis=-2)


def vs_gold(
    spans: Iterable[Span],
    gold: Iterable[Span],
    lengths: Mapping[str, int],
    finished: Mapping[str, Collection[str]],
    adjudicated: Collection[str],
    labels: Sequence[str],
    annotators: Sequence[str],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict:
    """``{annotator: {"documents": n, "per_label": {label: figures}, "micro": figures}}``
    where figures are ``{"exact": {precision, recall, f1, *_ci}, "overlap": {...},
    "spans": n, "gold": n}``; an annotator who finished no adjudicated document is left out.
    Undefined measures are None (precision without spans, recall without gold spans).

    ``finished``: document key -> annotators who finished it; ``adjudicated``: document keys.
    Gold spans carry their document key; their ``annotator`` is not looked at.
    """
    labels = list(dict.fromkeys(labels))
    raters = [*annotators, GOLD]
    rater_index = {name: k for k, name in enumerate(raters)}
    docs = sorted(
        doc
        for doc in adjudicated
        if doc in lengths and set(finished.get(doc, ())) & set(annotators)
    )
    if not docs or not annotators:
        return {}
    doc_index = {doc: k for k, doc in enumerate(docs)}
    doc_lengths = np.array([lengths[doc] for doc in docs], np.int64)
    coverage = np.zeros((len(docs), len(raters)), bool)
    coverage[:, -1] = True
    for doc, k in doc_index.items():
        for name in set(finished.get(doc, ())) & set(annotators):
            coverage[k, rater_index[name]] = True
    gold_spans = [
        Span(s.document, GOLD, s.label, s.start, s.end, s.id)
        for s in gold
        if s.document in doc_index
    ]
    table, _kept = span_columns(
        [*spans, *gold_spans],
        doc_index,
        {label: k for k, label in enumerate(labels)},
        rater_index,
        coverage,
        doc_lengths,
    )
    stride = int(doc_lengths.max(initial=0)) + 1
    merged = merge_overlapping(table, stride)
    rng = np.random.default_rng(seed)
    out = {}
    for name in annotators:
        ia = rater_index[name]
        if not coverage[:, ia].any():
            continue
        pair_docs, stats, _breakdown = _compare_pair(
            table, merged, (ia, len(raters) - 1), coverage, doc_lengths, len(labels), stride
        )
        stats = stats[:, :4]  # tp exact, tp overlap, spans of the annotator, gold spans
        point = _prf(stats.sum(0))
        draws = (
            _resample(
                rng, pair_docs.size, bootstrap, lambda w, s=stats: _prf(np.tensordot(w, s, 1))
            )
            if bootstrap > 0
            else None
        )
        counts = stats.sum(0)

        def figures(column: int, point=point, draws=draws, counts=counts) -> dict:
            entry: dict = {}
            for m, mode in enumerate(MODES):
                entry[mode] = {}
                for k, measure in enumerate(("precision", "recall", "f1")):
                    entry[mode][measure] = _value(point[m, k, column])
                for k, measure in enumerate(("precision", "recall", "f1")):
                    entry[mode][f"{measure}_ci"] = (
                        None if draws is None else _interval(draws[:, m, k, column], confidence)
                    )
            total = counts.sum(-1) if column == len(labels) else counts[:, column]
            entry["spans"], entry["gold"] = int(total[2]), int(total[3])
            return entry

        out[name] = {
            "documents": int(pair_docs.size),
            "per_label": {label: figures(k) for k, label in enumerate(labels)},
            "micro": figures(len(labels)),
        }
    return out
