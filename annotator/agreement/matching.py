"""Spans of two annotators matched one-to-one, and what each match (or miss) is.

Two spans match exactly when document, label, start and end agree; they overlap when document
and label agree and the ranges share a character. Both matchings are one-to-one. The overlap
matching is a maximum one: as many pairs as the overlaps allow, so no figure depends on the order
spans are looked at (a greedy pass can pair two spans and strand two others that each had a
partner). Among maximum matchings it takes the largest total overlap, then the smallest total
boundary shift. A span it leaves unmatched is a label or missing disagreement. The spans and
relations of `annotator.agreement.report` are defined here, and `overlap_matching` is the one
matching every "overlapping" figure uses: F1, breakdown, disagreement, link F1, the comparison view.

Pure functions on numpy columns: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict

import numpy as np

from annotator.agreement.reliability import (
    Intervals,
    overlapping_pairs,
)

EXACT, BOUNDARY, LABEL, MISSING = range(4)
KINDS = ("exact", "boundary", "label", "missing_a", "missing_b")
ONLY = {"only_a": "missing_b", "only_b": "missing_a"}
"""Breakdown keys named after who marked the span -> the kind each counts."""


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


EXACT_LIMIT = 2**50
"""Largest total weight a component's matching may reach with exact integer weights: float64
holds integers exactly to 2**53, and `linear_sum_assignment` adds and subtracts a few of them."""


def exact_matching(
    a: Intervals, b: Intervals, n_labels: int, stride: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of identical spans (document, label, start, end), one-to-one.

    a and b are sorted by (doc, label, start, end); among k identical spans of a and m of b the
    first min(k, m) of each pair up in order. This is exact F1's matching, and attribute kappa's.
    """
    i, j = overlapping_pairs(a, b, n_labels, stride)
    same = (a.start[i] == b.start[j]) & (a.end[i] == b.end[j])
    i, j = i[same], j[same]
    keep = _rank_among_equals(a)[i] == _rank_among_equals(b)[j]
    return i[keep], j[keep]


def _rank_among_equals(cols: Intervals) -> np.ndarray:
    """0 for a span, 1 for the next identical one (same doc, label, start, end), and so on."""
    n = len(cols)
    if n == 0:
        return np.zeros(0, np.int64)
    columns = (cols.doc, cols.label, cols.start, cols.end)
    new = np.r_[True, np.any([np.diff(c) != 0 for c in columns], axis=0)]
    index = np.arange(n)
    return index - np.maximum.accumulate(np.where(new, index, 0))


def overlap_matching(
    a: Intervals, b: Intervals, n_labels: int, stride: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of the overlap matching, sorted by i.

    A maximum-cardinality one-to-one matching of same-document, same-label spans that share a
    character; among those, the one with the largest total overlap, then the smallest total
    boundary shift |start diff| + |end diff| (so identical spans pair with each other whenever
    that costs no pair). a and b are sorted by (doc, label, start, end). The overlap graph is cut
    into connected components first: a pair whose two spans overlap nothing else is taken as it
    is (most are); in a star (one span overlapping several of the other side, a nested span's
    usual shape) the best edge is picked; only the other components are solved, each on its own.
    """
    i, j = overlapping_pairs(a, b, n_labels, stride)
    alone = (np.bincount(i, minlength=len(a))[i] == 1) & (np.bincount(j, minlength=len(b))[j] == 1)
    chosen_i, chosen_j = [i[alone]], [j[alone]]
    i, j = i[~alone], j[~alone]
    if i.size:
        # scipy is imported here, not with the module: it adds about 50 MB to every process that
        # imports the app (server workers, job runner), and only a tangle of overlaps needs it.
        from scipy.sparse import coo_array  # noqa: PLC0415
        from scipy.sparse.csgraph import connected_components  # noqa: PLC0415

        overlap = np.minimum(a.end[i], b.end[j]) - np.maximum(a.start[i], b.start[j])
        shift = np.abs(a.start[i] - b.start[j]) + np.abs(a.end[i] - b.end[j])
        nodes = len(a) + len(b)
        graph = coo_array((np.ones(i.size), (i, len(a) + j)), shape=(nodes, nodes))
        component = connected_components(graph, directed=False)[1][i]
        size = np.bincount(component)[component]  # edges in the edge's component
        star = (np.bincount(i)[i] == size) | (np.bincount(j)[j] == size)
        # A star's pair is its best edge: largest overlap, smallest shift, then position (the
        # order the solver breaks ties in, so both ways give the same pair).
        best = np.lexsort((j, i, shift, -overlap, component))
        best = best[star[best]]
        best = best[np.r_[True, np.diff(component[best]) != 0]] if best.size else best
        chosen_i.append(i[best])
        chosen_j.append(j[best])
        rest = np.flatnonzero(~star)
        rest = rest[np.argsort(component[rest], kind="stable")]
        for edge in np.split(rest, np.flatnonzero(np.diff(component[rest])) + 1):
            if edge.size:
                x, y = _best_matching(i[edge], j[edge], overlap[edge], shift[edge])
                chosen_i.append(x)
                chosen_j.append(y)
    i, j = np.concatenate(chosen_i), np.concatenate(chosen_j)
    order = np.argsort(i, kind="stable")
    return i[order], j[order]


def _best_matching(
    i: np.ndarray, j: np.ndarray, overlap: np.ndarray, shift: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Overlap matching of one connected component given as its edges (i, j).

    A maximum-weight assignment with weights that rank matchings by size first, then total
    overlap, then total shift (see `_weights`); the pairs it makes through a non-edge (weight 0)
    are dropped. Remaining ties go to the assignment solver's fixed order over sorted spans.
    """
    from scipy.optimize import linear_sum_assignment  # noqa: PLC0415 (see overlap_matching)

    rows, cols = np.array(sorted(set(i.tolist()))), np.array(sorted(set(j.tolist())))
    weight = np.zeros((rows.size, cols.size))  # a set, not np.unique: components are small
    weight[np.searchsorted(rows, i), np.searchsorted(cols, j)] = _weights(
        overlap, shift, min(rows.size, cols.size)
    )
    r, c = linear_sum_assignment(weight, maximize=True)
    edge = weight[r, c] > 0
    return rows[r[edge]], cols[c[edge]]


def _weights(overlap: np.ndarray, shift: np.ndarray, size: int) -> np.ndarray:
    """Integer edge weights whose maximum-weight matching (of at most ``size`` pairs) is the
    largest, then has the largest total overlap, then the smallest total shift.

    Each level outweighs everything below it summed over ``size`` pairs. Should those weights
    pass `EXACT_LIMIT` (a huge component of very long spans), the shift tie-break goes, then the
    overlap one, so the number of pairs is always exact.
    """
    top_overlap, top_shift = int(overlap.max()), int(shift.max())
    by_shift = size * top_shift + 1
    by_overlap = size * by_shift * top_overlap + 1
    weights: np.ndarray
    if size * (by_overlap + by_shift * top_overlap) < EXACT_LIMIT:
        weights = by_overlap + by_shift * overlap - shift
        return weights
    by_overlap = size * top_overlap + 1
    if size * (by_overlap + top_overlap) < EXACT_LIMIT:
        weights = by_overlap + overlap
        return weights
    return np.ones(overlap.size)


def matching(
    a: Intervals, b: Intervals, n_labels: int, stride: int, mode: str
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of span F1's matching in ``mode``: "exact" or "overlap"."""
    if mode == "exact":
        return exact_matching(a, b, n_labels, stride)
    if mode == "overlap":
        return overlap_matching(a, b, n_labels, stride)
    raise ValueError(f"mode must be 'exact' or 'overlap', not {mode!r}")


def classify_columns(
    a: Intervals, b: Intervals, n_labels: int, stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kind code and partner index (-1 for none) of every span of a and of b.

    a and b are one annotator each, sorted by (doc, label, start, end). Step 1 is the
    `overlap_matching`: identical pairs are EXACT, others BOUNDARY. Step 2 pairs leftovers with
    an identical range and a different label: LABEL. Whatever is left is MISSING on the other
    side. An identical pair can be split up when that lets more spans pair (a [0, 2) and [0, 1),
    b [0, 2) and [1, 2): two BOUNDARY pairs, not one EXACT pair and two MISSING), so EXACT here
    can count fewer pairs than `exact_matching`, which exact F1 uses.
    """
    i, j = overlap_matching(a, b, n_labels, stride)
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


class Classified(TypedDict):
    """One item of `classify_pair`: a span of a, of b, or both, and how they compare."""

    kind: str
    a: Span | None
    b: Span | None


def classify_pair(spans_a: Iterable[Span], spans_b: Iterable[Span]) -> list[Classified]:
    """Explain every span of annotator a and of annotator b relative to the other.

    Returns ``[{"kind", "a", "b"}]`` where kind is one of:
    - "exact": same document, label and range ("a" and "b" are both set);
    - "boundary": same document and label, ranges overlap but differ; the pairs are those of
      overlap F1 (`overlap_matching`);
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
    items: list[Classified] = [
        {"kind": names[k], "a": span, "b": sorted_b[p] if p >= 0 else None}
        for span, k, p in zip(sorted_a, kind_a.tolist(), partner_a.tolist(), strict=True)
    ]
    taken = set(partner_a[partner_a >= 0].tolist())
    items += [
        {"kind": "missing_a", "a": None, "b": span}
        for y, span in enumerate(sorted_b)
        if y not in taken
    ]

    def order(item: Classified) -> tuple[str, int, int, str, int]:
        s = classified_span(item)
        return s.document, s.start, s.end, s.label, KINDS.index(item["kind"])

    return sorted(items, key=order)


def classified_span(item: Classified) -> Span:
    """The item's span of a, else of b (every item has one of them)."""
    span = item["a"] or item["b"]
    assert span is not None, "a classified item holds a span of a or of b"
    return span


def disagreement_breakdown(
    spans_a: Iterable[Span], spans_b: Iterable[Span]
) -> dict[str, dict[str, int]]:
    """Counts of `classify_pair` kinds per label: ``{label: {kind: int}}`` for every label used,
    with "only_a" and "only_b" besides (see `with_only_keys`).

    "exact", "boundary", "label" and "missing_b" are counted under a's span's label,
    "missing_a" under b's. So a label disagreement (a said claim, b said evidence over the same
    range) counts once, under "claim"; the b side of it is found through `classify_pair`, whose
    items carry both spans. Per label: spans of a = exact + boundary + label + only_a.
    """
    spans_a, spans_b = list(spans_a), list(spans_b)
    labels = sorted({s.label for s in spans_a + spans_b})
    counts = {label: dict.fromkeys(KINDS, 0) for label in labels}
    for item in classify_pair(spans_a, spans_b):
        # "missing_a" items hold only b's span, every other kind a's: the span's own label.
        counts[classified_span(item).label][item["kind"]] += 1
    return {label: with_only_keys(kinds) for label, kinds in counts.items()}


def with_only_keys(counts: Mapping[str, int]) -> dict[str, int]:
    """Breakdown counts with "only_a" (spans only a marked: kind "missing_b") and "only_b"
    (kind "missing_a") added. "missing_a" reads as "a misses it", which was easy to take the
    wrong way round; the old keys stay one more release beside the new ones."""
    return {**counts, **{name: counts[kind] for name, kind in ONLY.items()}}


def span_f1(
    spans_a: Iterable[Span],
    spans_b: Iterable[Span],
    mode: str = "exact",
    label: str | None = None,
) -> F1:
    """Micro-averaged span F1 between two annotators (over all documents given, and all labels
    unless ``label`` picks one). "exact": same document, label, start and end; "overlap": same
    document and label and at least one shared character. Each span matches at most once, by
    `exact_matching` or `overlap_matching`. f1 is None when neither side has a span (undefined,
    not perfect).
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"mode must be 'exact' or 'overlap', not {mode!r}")
    spans_a = [s for s in spans_a if label is None or s.label == label]
    spans_b = [s for s in spans_b if label is None or s.label == label]
    a, _, b, _, n_labels, stride = pair_columns(spans_a, spans_b)
    tp = matching(a, b, n_labels, stride, mode)[0].size
    total = len(a) + len(b)
    return F1(2 * tp / total if total else None, tp, len(a), len(b))
