"""Inter-annotator agreement on labelled character spans.

A span is (document, annotator, label, start, end) with Unicode code-point offsets, half-open
[start, end). Only the spans of documents an annotator *finished* count: a document is compared
for a pair of annotators when both finished it, and for alpha / alpha_u when at least two
annotators finished it (the others are missing values there, not "marked nothing").

Measures:
- span F1, exact (same document, label, start and end) and overlap (same document and label,
  ranges share a character; one-to-one, greedy by largest overlap), micro-averaged;
- Cohen's kappa and Krippendorff's nominal alpha per label, with every character of every compared
  document a unit (1 if one of the annotator's spans of that label covers it, else 0);
- Krippendorff's unitizing alpha_u per label and pooled (see `annotator.reliability`);
- percentile-bootstrap confidence intervals, resampling compared documents with replacement;
- relation F1: a link of a matches a link of b when its source and its target match (one-to-one,
  as in span F1, under exact or overlap span match) the source and target of b's link and the
  types agree;
- attribute agreement: Cohen's kappa per (label, attribute) between two annotators over their
  exactly matched spans that both gave a value, and Krippendorff's nominal alpha across annotators
  with each distinct (document, label, start, end) a unit and an unset attribute a missing value.

Pure functions: no Flask, no database. `compute_agreement` is what the CLI and pages call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

import numpy as np

from annotator.reliability import (
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

EXACT, BOUNDARY, LABEL, MISSING = range(4)
KINDS = ("exact", "boundary", "label", "missing_a", "missing_b")


@dataclass(frozen=True)
class Span:
    """One highlighted range: code-point offsets, half-open [start, end). ``id`` (what relations
    refer to) and ``attributes`` (name -> value) take no part in comparing spans."""

    document: str
    annotator: str
    label: str
    start: int
    end: int
    id: str | None = field(default=None, compare=False)
    attributes: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Relation:
    """A link of one annotator from the span with id ``source`` to the span ``target``."""

    document: str
    annotator: str
    type: str
    source: str
    target: str


class Kappa(NamedTuple):
    """Cohen's kappa of one attribute between two annotators: None when undefined; ``units``
    matched spans where both gave a value, ``agreed`` of them with the same value."""

    kappa: float | None
    units: int
    agreed: int


class F1(NamedTuple):
    """Span F1 with its counts. f1 = 2 tp / (n_a + n_b); None when both sides have no span."""

    f1: float | None
    tp: int
    n_a: int
    n_b: int


# ---------------------------------------------------------------- spans as columns


def _columns(
    spans: Iterable[Span],
    doc_index: Mapping[str, int],
    label_index: Mapping[str, int],
    annotator_index: Mapping[str, int] | None = None,
    coverage: np.ndarray | None = None,
    doc_lengths: np.ndarray | None = None,
) -> tuple[Intervals, list[Span]]:
    """Spans of known documents, labels (and finishing annotators) as columns sorted by
    (doc, annotator, label, start, end); raises ValueError on an empty or out-of-range span."""
    kept, rows = [], []
    for span in spans:
        d, lab = doc_index.get(span.document), label_index.get(span.label)
        r = 0 if annotator_index is None else annotator_index.get(span.annotator)
        if d is not None and lab is not None and r is not None:
            kept.append(span)
            rows.append((d, r, lab, span.start, span.end))
    table = np.array(rows, np.int64).reshape(-1, 5)
    if coverage is not None:
        keep = coverage[table[:, 0], table[:, 1]]
        table, kept = table[keep], [s for s, k in zip(kept, keep.tolist(), strict=True) if k]
    limit = doc_lengths[table[:, 0]] if doc_lengths is not None else table[:, 4]
    bad = np.flatnonzero((table[:, 3] < 0) | (table[:, 4] <= table[:, 3]) | (table[:, 4] > limit))
    if bad.size:
        raise ValueError(f"span outside its document or empty: {kept[bad[0]]!r}")
    order = np.lexsort(table.T[::-1])
    return Intervals(*table[order].T), [kept[k] for k in order.tolist()]


# ---------------------------------------------------------------- matching and classification


def _greedy(i: np.ndarray, j: np.ndarray, n_a: int, n_b: int) -> np.ndarray:
    """Accept candidate pairs in the given order when both spans are still free (bool mask).

    A candidate whose two spans appear in no other candidate is always accepted, so only the
    contested rest needs the sequential pass; that keeps big, mostly-agreeing studies fast.
    """
    accept = (np.bincount(i, minlength=n_a)[i] == 1) & (np.bincount(j, minlength=n_b)[j] == 1)
    rest = np.flatnonzero(~accept)
    used_a, used_b = bytearray(n_a), bytearray(n_b)
    for c, x, y in zip(rest.tolist(), i[rest].tolist(), j[rest].tolist(), strict=True):
        if not used_a[x] and not used_b[y]:
            used_a[x] = used_b[y] = 1
            accept[c] = True
    return accept


def _classify(
    a: Intervals, b: Intervals, n_labels: int, stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kind code and partner index (-1 for none) of every span of a and of b.

    a and b are one annotator each, sorted by (doc, label, start, end). Step 1 matches same-label
    overlapping spans one-to-one, greedily by largest overlap, ties by smallest boundary shift
    |start diff| + |end diff|, then by a's and b's order: identical ranges are EXACT, others
    BOUNDARY. (An identical pair always has the largest overlap either span can have, so every
    exact match survives.) Step 2 pairs leftovers with an identical range and a different label:
    LABEL. Whatever is left is MISSING on the other side.
    """
    i, j = overlapping_pairs(a, b, n_labels, stride)
    overlap = np.minimum(a.end[i], b.end[j]) - np.maximum(a.start[i], b.start[j])
    shift = np.abs(a.start[i] - b.start[j]) + np.abs(a.end[i] - b.end[j])
    order = np.lexsort((j, i, shift, -overlap))
    i, j = i[order], j[order]
    keep = _greedy(i, j, len(a), len(b))
    i, j = i[keep], j[keep]
    kind_a, kind_b = np.full(len(a), MISSING), np.full(len(b), MISSING)
    partner_a, partner_b = np.full(len(a), -1), np.full(len(b), -1)
    same = (a.start[i] == b.start[j]) & (a.end[i] == b.end[j])
    kind_a[i] = kind_b[j] = np.where(same, EXACT, BOUNDARY)
    partner_a[i], partner_b[j] = j, i

    waiting: dict[tuple[int, int, int], list[int]] = {}
    rest_b = np.flatnonzero(kind_b == MISSING)
    keys_b = zip(*(c[rest_b].tolist() for c in (b.doc, b.start, b.end)), strict=True)
    for y, key in zip(rest_b.tolist(), keys_b, strict=True):
        waiting.setdefault(key, []).append(y)
    if waiting:
        rest_a = np.flatnonzero(kind_a == MISSING)
        keys_a = zip(*(c[rest_a].tolist() for c in (a.doc, a.start, a.end)), strict=True)
        for x, key in zip(rest_a.tolist(), keys_a, strict=True):
            if waiting.get(key):
                y = waiting[key].pop(0)
                kind_a[x] = kind_b[y] = LABEL
                partner_a[x], partner_b[y] = y, x
    return kind_a, partner_a, kind_b, partner_b


def _pair_columns(
    spans_a: Iterable[Span], spans_b: Iterable[Span]
) -> tuple[Intervals, list[Span], Intervals, list[Span], int, int]:
    spans_a, spans_b = list(spans_a), list(spans_b)
    both = spans_a + spans_b
    doc_index = {d: k for k, d in enumerate(sorted({s.document for s in both}))}
    label_index = {lab: k for k, lab in enumerate(sorted({s.label for s in both}))}
    a, sorted_a = _columns(spans_a, doc_index, label_index)
    b, sorted_b = _columns(spans_b, doc_index, label_index)
    stride = int(max(a.end.max(initial=0), b.end.max(initial=0))) + 1
    return a, sorted_a, b, sorted_b, len(label_index), stride


def classify_pair(spans_a: Iterable[Span], spans_b: Iterable[Span]) -> list[dict]:
    """Explain every span of annotator a and of annotator b relative to the other.

    Returns ``[{"kind", "a", "b"}]`` where kind is one of:
    - "exact": same document, label and range ("a" and "b" are both set);
    - "boundary": same document and label, ranges overlap but differ; the pairs are those of
      overlap F1 (one-to-one, greedy by largest overlap);
    - "label": identical range, different label (among spans left unmatched above);
    - "missing_a": a span of b that a has no counterpart for ("a" is None);
    - "missing_b": a span of a that b has no counterpart for ("b" is None).
    Every input span appears in exactly one item. Items are ordered by document, then the
    (a-side, else b-side) span's start, end and label. Callers pass the spans of documents both
    annotators finished; the ``annotator`` field is not looked at.
    """
    a, sorted_a, b, sorted_b, n_labels, stride = _pair_columns(spans_a, spans_b)
    kind_a, partner_a, _, _ = _classify(a, b, n_labels, stride)
    names = {EXACT: "exact", BOUNDARY: "boundary", LABEL: "label", MISSING: "missing_b"}
    items = [
        {"kind": names[k], "a": span, "b": sorted_b[p] if p >= 0 else None}
        for span, k, p in zip(sorted_a, kind_a.tolist(), partner_a.tolist(), strict=True)
    ]
    taken = set(partner_a[partner_a >= 0].tolist())
    items += [
        {"kind": "missing_a", "a": None, "b": span}
        for y, span in enumerate(sorted_b)
        if y not in taken
    ]

    def order(item: dict) -> tuple:
        s = item["a"] or item["b"]
        return s.document, s.start, s.end, s.label, KINDS.index(item["kind"])

    return sorted(items, key=order)


def disagreement_breakdown(spans_a: Iterable[Span], spans_b: Iterable[Span]) -> dict:
    """Counts of `classify_pair` kinds per label: ``{label: {kind: int}}`` for every label used.

    "exact", "boundary", "label" and "missing_b" are counted under a's span's label,
    "missing_a" under b's. So a label disagreement (a said claim, b said evidence over the same
    range) counts once, under "claim"; the b side of it is found through `classify_pair`, whose
    items carry both spans. Per label: spans of a = exact + boundary + label + missing_b.
    """
    spans_a, spans_b = list(spans_a), list(spans_b)
    labels = sorted({s.label for s in spans_a + spans_b})
    counts = {label: dict.fromkeys(KINDS, 0) for label in labels}
    for item in classify_pair(spans_a, spans_b):
        side = item["b"] if item["kind"] == "missing_a" else item["a"]
        counts[side.label][item["kind"]] += 1
    return counts


def span_f1(
    spans_a: Iterable[Span],
    spans_b: Iterable[Span],
    mode: str = "exact",
    label: str | None = None,
) -> F1:
    """Micro-averaged span F1 between two annotators (over all documents given, and all labels
    unless ``label`` picks one). "exact": same document, label, start and end; "overlap": same
    document and label and at least one shared character. Each span matches at most once (see
    `classify_pair`). f1 is None when neither side has a span (undefined, not perfect).
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"mode must be 'exact' or 'overlap', not {mode!r}")
    spans_a = [s for s in spans_a if label is None or s.label == label]
    spans_b = [s for s in spans_b if label is None or s.label == label]
    a, _, b, _, n_labels, stride = _pair_columns(spans_a, spans_b)
    kind_a = _classify(a, b, n_labels, stride)[0]
    tp = int((kind_a <= (EXACT if mode == "exact" else BOUNDARY)).sum())
    total = len(a) + len(b)
    return F1(2 * tp / total if total else None, tp, len(a), len(b))


# ---------------------------------------------------------------- relations and attributes


def _partners(
    spans_a: Iterable[Span], spans_b: Iterable[Span]
) -> tuple[list[Span], list[Span], np.ndarray, np.ndarray]:
    """Both sides sorted as `_classify` sees them, with a's kind and partner index in b."""
    a, sorted_a, b, sorted_b, n_labels, stride = _pair_columns(spans_a, spans_b)
    kind_a, partner_a, _, _ = _classify(a, b, n_labels, stride)
    return sorted_a, sorted_b, kind_a, partner_a


def _matched_ids(
    sorted_a: list[Span], sorted_b: list[Span], kind_a: np.ndarray, partner_a: np.ndarray, mode: str
) -> dict[str, str]:
    """Span id of a -> id of its partner in b, for pairs that match under ``mode``."""
    limit = EXACT if mode == "exact" else BOUNDARY
    return {
        sorted_a[x].id: sorted_b[y].id
        for x, (kind, y) in enumerate(zip(kind_a.tolist(), partner_a.tolist(), strict=True))
        if kind <= limit and y >= 0
    }


def _relation_tp(
    relations_a: Sequence[Relation], relations_b: Sequence[Relation], partner: Mapping[str, str]
) -> int:
    wanted = Counter((r.source, r.target, r.type) for r in relations_b)
    tp = 0
    for relation in relations_a:
        key = (partner.get(relation.source), partner.get(relation.target), relation.type)
        if key[0] is not None and key[1] is not None and wanted[key] > 0:
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
        tp = _relation_tp(links_a, links_b, _matched_ids(*_partners(spans_a, spans_b), mode))
    total = len(links_a) + len(links_b)
    return F1(2 * tp / total if total else None, tp, len(links_a), len(links_b))


def attribute_kappa(
    spans_a: Iterable[Span], spans_b: Iterable[Span], label: str, attribute: str
) -> Kappa:
    """Cohen's kappa of ``attribute`` between a and b over their spans of ``label`` that match
    exactly (same document, label, start and end; one-to-one) and that both gave a value."""
    sorted_a, sorted_b, kind_a, partner_a = _partners(
        [s for s in spans_a if s.label == label], [s for s in spans_b if s.label == label]
    )
    pairs = [
        (sorted_a[x].attributes.get(attribute), sorted_b[y].attributes.get(attribute))
        for x, (kind, y) in enumerate(zip(kind_a.tolist(), partner_a.tolist(), strict=True))
        if kind == EXACT
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
    units: dict[tuple, list[str | None]] = {}
    for span in sorted(spans, key=lambda s: (s.document, s.start, s.end, s.id or "")):
        if span.annotator not in coder:
            continue
        row = units.setdefault((span.document, span.start, span.end), [None] * len(annotators))
        if row[coder[span.annotator]] is None:
            row[coder[span.annotator]] = span.attributes.get(attribute)
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
            used[span.label].update(name for name, value in span.attributes.items() if value)
    return [(label, name) for label in labels for name in sorted(used[label])]


def _links_f1(
    links_a: list[Relation], links_b: list[Relation], partner: Mapping[str, str], type_name=None
) -> F1:
    side_a = [r for r in links_a if type_name is None or r.type == type_name]
    side_b = [r for r in links_b if type_name is None or r.type == type_name]
    tp = _relation_tp(side_a, side_b, partner)
    total = len(side_a) + len(side_b)
    return F1(2 * tp / total if total else None, tp, len(side_a), len(side_b))


def _relation_pair(
    spans_a: list[Span],
    spans_b: list[Span],
    links_a: list[Relation],
    links_b: list[Relation],
    types: list[str],
) -> dict:
    """One pair's entry of the report's "relations" (without the names)."""
    matched: dict[str, dict[str, str]] = {"exact": {}, "overlap": {}}
    if links_a and links_b:
        partners = _partners(spans_a, spans_b)
        matched = {mode: _matched_ids(*partners, mode) for mode in matched}
    entry: dict = {}
    for mode in ("exact", "overlap"):
        result = _links_f1(links_a, links_b, matched[mode])
        entry[f"{mode}_f1"] = result.f1
        entry[mode] = {"tp": result.tp, "n_a": result.n_a, "n_b": result.n_b}
    entry["per_type"] = {
        name: {
            "exact_f1": _links_f1(links_a, links_b, matched["exact"], name).f1,
            "overlap_f1": _links_f1(links_a, links_b, matched["overlap"], name).f1,
        }
        for name in types
    }
    return entry


def _links_and_attributes(
    kept: list[Span],
    relations: Iterable[Relation],
    docs: list[str],
    coverage: np.ndarray,
    annotators: list[str],
    labels: list[str],
    attributes: Mapping[str, Sequence[str]] | None,
) -> tuple[dict, dict]:
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
    relation_pairs, attribute_pairs = [], []
    for ia, ib in combinations(range(len(annotators)), 2):
        shared = {docs[d] for d in np.flatnonzero(coverage[:, ia] & coverage[:, ib]).tolist()}
        a_name, b_name = annotators[ia], annotators[ib]
        spans_a = [s for s in by_annotator[a_name] if s.document in shared]
        spans_b = [s for s in by_annotator[b_name] if s.document in shared]
        links_a = [r for r in links if r.annotator == a_name and r.document in shared]
        links_b = [r for r in links if r.annotator == b_name and r.document in shared]
        relation_pairs.append(
            {"a": a_name, "b": b_name, "documents": len(shared)}
            | _relation_pair(spans_a, spans_b, links_a, links_b, types)
        )
        attribute_pairs.append(
            {
                "a": a_name,
                "b": b_name,
                "per_attribute": {
                    f"{label}.{name}": attribute_kappa(spans_a, spans_b, label, name)._asdict()
                    for label, name in names
                },
            }
        )
    per_attribute = {}
    for label, name in names:
        alpha, units = attribute_alpha(kept, label, name, annotators)
        per_attribute[f"{label}.{name}"] = {"alpha": alpha, "units": units}
    return (
        {"types": types, "pairwise": relation_pairs},
        {"per_attribute": per_attribute, "pairwise": attribute_pairs},
    )


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
    kind_a, _, kind_b, _ = _classify(a, b, n_labels, stride)
    ma, mb = side(merged, ia), side(merged, ib)
    i, j = overlapping_pairs(ma, mb, n_labels, stride)
    common = np.minimum(ma.end[i], mb.end[j]) - np.maximum(ma.start[i], mb.start[j])
    n11 = per_cell(ma.take(i), common.astype(float))
    n10 = per_cell(ma, (ma.end - ma.start).astype(float)) - n11
    n01 = per_cell(mb, (mb.end - mb.start).astype(float)) - n11
    n00 = doc_lengths[docs][:, None] - n11 - n10 - n01
    stats = np.stack(
        [
            per_cell(a, (kind_a == EXACT).astype(float)),
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
) -> dict:
    """Agreement report of a project, JSON-serialisable.

    ``lengths``: document key -> text length in code points; ``finished``: document key ->
    annotators who finished it. Spans of unfinished (document, annotator) pairs, of annotators
    outside ``annotators`` (default: everyone who finished something, sorted) and of labels outside
    ``labels`` are ignored; a kept span outside its document raises ValueError. Measures that are
    undefined (no documents, no span on either side, no variation) are None; F1 lies in 0..1.

    Keys: documents (compared: >= 2 annotators finished), annotators, labels, bootstrap,
    confidence, pairwise (every pair of annotators, on the documents both finished: exact_f1,
    overlap_f1, kappa = mean of the defined per-label kappas, their intervals, per_label, and the
    `disagreement_breakdown` counts), per_label (alpha, alpha_u and intervals), alpha_u_pooled and
    documents_by_disagreement. A document's disagreement is 1 - the mean over annotator pairs who
    both finished it of the pair's overlap F1 on it, where a pair with no span there counts as
    full agreement (so a document nobody marked scores 0); sorted most disputed first, then by
    number of spans (descending) and key. Intervals are percentile bootstrap intervals over
    ``bootstrap`` draws (None when 0) of the compared documents (a pair's: its shared ones),
    from ``numpy.random.default_rng(seed)``, over the draws where the measure is defined.

    ``relations`` (whose ends are span ids, so spans need their ``id``) and span ``attributes``
    give two more keys, without intervals. "relations": ``types`` (those used) and ``pairwise``
    (every pair on the documents both finished: exact_f1 and overlap_f1 of `relation_f1`, their
    counts under "exact" and "overlap", and per_type F1s). "attributes": ``per_attribute``
    ({"label.attribute": alpha and pairable units of `attribute_alpha`}) and ``pairwise``
    (per_attribute: `attribute_kappa` as kappa, units, agreed). The attributes compared are
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
    table, kept = _columns(spans, doc_index, label_index, annotator_index, coverage, doc_lengths)
    stride = int(doc_lengths.max(initial=0)) + 1
    merged = merge_overlapping(table, stride)
    n_labels, n_docs = len(labels), len(docs)
    rng = np.random.default_rng(seed)

    def interval(n: int, measure: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
        return _resample(rng, n, bootstrap, measure) if bootstrap > 0 and n > 0 else None

    def ci(draws: np.ndarray | None, *index: int) -> list[float] | None:
        return None if draws is None else _interval(draws[(slice(None), *index)], confidence)

    pairwise = []
    agreement_sum, agreement_pairs = np.zeros(n_docs), np.zeros(n_docs)
    for ia, ib in combinations(range(len(annotators)), 2):
        pair_docs, stats, breakdown = _compare_pair(
            table, merged, (ia, ib), coverage, doc_lengths, n_labels, stride
        )
        point = _pair_measures(stats.sum(0))
        draws = interval(pair_docs.size, lambda w, s=stats: _pair_measures(np.tensordot(w, s, 1)))
        tp, found = stats[:, 1].sum(1), stats[:, 2:4].sum((1, 2))
        agreement_sum[pair_docs] += np.where(found > 0, 2 * tp / np.maximum(found, 1), 1.0)
        agreement_pairs[pair_docs] += 1
        entry = {
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
                label: {kind: int(breakdown[kind][k]) for kind in KINDS}
                for k, label in enumerate(labels)
            },
        }
        pairwise.append(entry)

    per_label, pooled, pooled_ci = _reliability(
        merged, coverage, doc_lengths, labels, interval, confidence
    )
    relation_report, attribute_report = _links_and_attributes(
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
    interval: Callable,
    confidence: float,
) -> tuple[dict, float | None, list[float] | None]:
    """Character-level alpha and alpha_u per label, pooled alpha_u, with intervals."""
    n_docs, n_raters = coverage.shape
    n_labels = len(labels)
    stride = int(doc_lengths.max(initial=0)) + 1
    m = coverage.sum(1).astype(float)
    depth = covered_depth(merged, n_docs, n_labels, stride, n_raters)
    depth[..., 0] = doc_lengths[:, None] - depth[..., 1:].sum(-1)
    k = np.arange(n_raters + 1, dtype=float)
    pairs = np.maximum(m - 1, 1)[:, None]
    coincidence = [
        np.einsum("dlk,dk->dl", depth, weight / pairs)
        for weight in ((m[:, None] - k) * (m[:, None] - k - 1), k * (m[:, None] - k), k * (k - 1))
    ]
    coincidence = np.stack(coincidence, axis=1)  # docs x (o00, o01, o11) x labels
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

    def ci(column: int) -> list[float] | None:
        return None if draws is None else _interval(draws[:, column], confidence)

    per_label = {
        label: {
            "alpha": _value(point[k]),
            "alpha_u": _value(point[n_labels + k]),
            "alpha_ci": ci(k),
            "alpha_u_ci": ci(n_labels + k),
        }
        for k, label in enumerate(labels)
    }
    return per_label, _value(point[-1]), ci(2 * n_labels)
