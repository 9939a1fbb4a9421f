"""Spans of two annotators matched one-to-one, and what each match (or miss) is.

Two spans match exactly when document, label, start and end agree; they overlap when document
and label agree and the ranges share a character. Matching is one-to-one, greedy by the largest
overlap, then the smallest boundary shift. An unmatched span is a boundary, label or missing
disagreement. The spans and relations of `annotator.agreement.report` are defined here.

Pure functions on numpy columns: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from annotator.agreement.reliability import (
    Intervals,
    overlapping_pairs,
)

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


class F1(NamedTuple):
    """Span F1 with its counts. f1 = 2 tp / (n_a + n_b); None when both sides have no span."""

    f1: float | None
    tp: int
    n_a: int
    n_b: int


# ---------------------------------------------------------------- spans as columns


def span_columns(
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


def classify_columns(
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


def pair_columns(
    spans_a: Iterable[Span], spans_b: Iterable[Span]
) -> tuple[Intervals, list[Span], Intervals, list[Span], int, int]:
    spans_a, spans_b = list(spans_a), list(spans_b)
    both = spans_a + spans_b
    doc_index = {d: k for k, d in enumerate(sorted({s.document for s in both}))}
    label_index = {lab: k for k, lab in enumerate(sorted({s.label for s in both}))}
    a, sorted_a = span_columns(spans_a, doc_index, label_index)
    b, sorted_b = span_columns(spans_b, doc_index, label_index)
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
    a, sorted_a, b, sorted_b, n_labels, stride = pair_columns(spans_a, spans_b)
    kind_a, partner_a, _, _ = classify_columns(a, b, n_labels, stride)
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
    a, _, b, _, n_labels, stride = pair_columns(spans_a, spans_b)
    kind_a = classify_columns(a, b, n_labels, stride)[0]
    tp = int((kind_a <= (EXACT if mode == "exact" else BOUNDARY)).sum())
    total = len(a) + len(b)
    return F1(2 * tp / total if total else None, tp, len(a), len(b))
