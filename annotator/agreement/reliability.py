"""Chance-corrected reliability coefficients for span annotation.

Cohen's kappa, Krippendorff's nominal alpha and Krippendorff's unitizing alpha (alpha_u), plus the
per-document sufficient statistics that `annotator.agreement.report` sums (and
bootstrap-resamples) over documents. Pure numpy: no Flask, no database.

Interval data arrives as columns (``Intervals``): document, rater and label indices and half-open
code-point ranges [start, end). Every coefficient returns None where it is undefined (no pairable
data, or no variation, i.e. zero expected disagreement) rather than NaN or 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypedDict

import numpy as np


class AlphaU(TypedDict):
    """Unitizing alpha of one category (or pooled), with its observed and expected disagreement;
    None where undefined."""

    alpha_u: float | None
    observed: float | None
    expected: float | None


class UnitizingAlpha(TypedDict):
    per_category: dict[Hashable, AlphaU]
    pooled: AlphaU


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """num / den elementwise, NaN where den == 0 (undefined), without warnings."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _scalar(x: np.ndarray | float) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


# ---------------------------------------------------------------- Cohen's kappa


def kappa_from_counts(
    n11: np.ndarray, n10: np.ndarray, n01: np.ndarray, n00: np.ndarray
) -> np.ndarray:
    """Cohen's kappa of 2x2 tables given as (arrays of) cell counts; NaN where undefined.

    n10 counts units rater a coded 1 and rater b coded 0. Counts may be bootstrap-weighted sums.
    Written as (n*agree - chance) / (n^2 - chance) so the undefined case (expected agreement 1)
    is an exact zero in floating point for integer counts.
    """
    n = n11 + n10 + n01 + n00
    chance = (n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00)
    return _ratio(n * (n11 + n00) - chance, n * n - chance)


def cohen_kappa(a: Sequence[Any] | np.ndarray, b: Sequence[Any] | np.ndarray) -> float | None:
    """Cohen's (1960) kappa for two raters who each coded the same units.

    ``a[i]`` and ``b[i]`` are the categories the raters gave unit i (hashable, mutually sortable
    values; no missing values). None when undefined: no units, or expected agreement of 1 (both
    raters used one and the same category throughout, so there is no variation).
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError("cohen_kappa needs two equal-length one-dimensional sequences")
    if a.size == 0:
        return None
    _, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    k = int(codes.max()) + 1
    table = np.bincount(codes[: a.size] * k + codes[a.size :], minlength=k * k).reshape(k, k)
    n = float(a.size)
    chance = float(table.sum(1) @ table.sum(0))
    return _scalar(_ratio(n * np.trace(table) - chance, n * n - chance))


# ---------------------------------------------------------------- Krippendorff's nominal alpha


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value))


def krippendorff_alpha_nominal(reliability_data: Sequence[Any] | np.ndarray) -> float | None:
    """Krippendorff's alpha with the nominal metric, via the coincidence matrix.

    ``reliability_data`` is coders x units; missing values are None or NaN. Units with fewer than
    two values are not pairable and are dropped. alpha = 1 - (n - 1) * (n - sum_c o_cc) /
    (n^2 - sum_c n_c^2), with o_cc = sum_u n_uc (n_uc - 1) / (m_u - 1). Vectorised over units (one
    pass per pair of coders), so millions of character units are fine. None when there is no
    pairable value or no variation (every pairable value is the same category).
    """
    data = np.asarray(reliability_data)
    if data.ndim != 2:
        raise ValueError("reliability_data must be coders x units")
    if data.dtype.kind == "f":
        present = ~np.isnan(data)
    elif data.dtype.kind == "O":
        present = np.frompyfunc(_present, 1, 1)(data).astype(bool)
    else:
        present = np.ones(data.shape, bool)
    if data.dtype.kind in "biuf":
        # Small non-negative integer codes (such as 0/1 character data) need no np.unique sort.
        values = np.where(present, data, 0)
        codes = values.astype(np.int64)
        if codes.size and codes.min() >= 0 and codes.max() < 1 << 16 and (codes == values).all():
            codes[~present] = -1
            return _alpha_nominal_codes(codes)
    codes = np.full(data.shape, -1, np.int64)
    if present.any():
        codes[present] = np.unique(data[present], return_inverse=True)[1].ravel()
    return _alpha_nominal_codes(codes)


def _alpha_nominal_codes(codes: np.ndarray) -> float | None:
    """Nominal alpha of integer codes (coders x units, -1 missing)."""
    m = (codes >= 0).sum(0)
    if (m < 2).any():
        codes, m = codes[:, m >= 2], m[m >= 2]
    n = float(m.sum())
    if n == 0:
        return None
    agreeing = np.zeros(m.size)  # agreeing pairs of values within each unit
    for i, j in combinations(range(codes.shape[0]), 2):
        agreeing += (codes[i] == codes[j]) & (codes[i] >= 0)
    diagonal = 2 * float((agreeing / (m - 1)).sum())
    n_c = np.bincount(codes.ravel() + 1)[1:].astype(float)
    return _scalar(1 - _ratio((n - 1) * (n - diagonal), n * n - float(n_c @ n_c)))


def alpha_from_coincidences(o00: np.ndarray, o01: np.ndarray, o11: np.ndarray) -> np.ndarray:
    """Nominal alpha of binary data from coincidence counts (o01 = o10); NaN where undefined."""
    n0, n1 = o00 + o01, o11 + o01
    return 1 - _ratio((n0 + n1 - 1) * o01, n0 * n1)


# ---------------------------------------------------------------- interval helpers


@dataclass(frozen=True)
class Intervals:
    """Columnar half-open ranges [start, end) in code points, one row per span or unit."""

    doc: np.ndarray
    rater: np.ndarray
    label: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def take(self, index: np.ndarray) -> Intervals:
        return Intervals(*(column[index] for column in self._columns()))

    def _columns(self) -> tuple[np.ndarray, ...]:
        return self.doc, self.rater, self.label, self.start, self.end

    def __len__(self) -> int:
        return self.doc.size


def expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j) with lo[i] <= j < hi[i], as two index arrays."""
    counts = np.maximum(hi - lo, 0)
    i = np.repeat(np.arange(lo.size), counts)
    j = np.arange(counts.sum()) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return i, j


def overlapping_pairs(
    a: Intervals, b: Intervals, n_labels: int, stride: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of a-rows and b-rows in the same document and label whose ranges share at
    least one code point. b must be sorted by (doc, label, start); ``stride`` > every end."""
    group_a = (a.doc * n_labels + a.label) * stride
    keys_b = (b.doc * n_labels + b.label) * stride + b.start
    lo = np.searchsorted(keys_b, group_a, "left")
    hi = np.searchsorted(keys_b, group_a + a.end, "left")  # b starting before a ends
    i, j = expand_ranges(lo, hi)
    keep = b.end[j] > a.start[i]
    return i[keep], j[keep]


def merge_overlapping(units: Intervals, stride: int) -> Intervals:
    """Union of overlapping ranges per (doc, rater, label); touching ranges stay separate units.

    alpha_u (like DKPro) requires a rater's units of one category not to overlap; merging keeps
    the covered characters unchanged. Result is sorted by (doc, rater, label, start).
    """
    if len(units) == 0:
        return units
    group = (units.doc * (units.rater.max() + 1) + units.rater) * (units.label.max() + 1)
    group = (group + units.label) * stride
    order = np.lexsort((units.end, units.start, group))
    units = units.take(order)
    ks, ke = group[order] + units.start, group[order] + units.end
    reach = np.maximum.accumulate(ke)
    first = np.r_[True, ks[1:] >= reach[:-1]]
    starts = np.flatnonzero(first)
    merged = units.take(starts)
    end = np.maximum.reduceat(ke, starts) - group[order][starts]
    return Intervals(merged.doc, merged.rater, merged.label, merged.start, end)


def covered_depth(
    units: Intervals, n_docs: int, n_labels: int, stride: int, max_depth: int
) -> np.ndarray:
    """Characters covered by exactly k raters, per document and label, for k = 1..max_depth.

    ``units`` must be merged (one rater never covers a character twice in one label). Returns an
    array docs x labels x (max_depth + 1) whose k = 0 column is left at zero for the caller.
    """
    group = units.doc * n_labels + units.label
    n_groups = n_docs * n_labels
    position = np.concatenate([group * stride + units.start, group * stride + units.end])
    delta = np.concatenate([np.ones(len(units), np.int64), -np.ones(len(units), np.int64)])
    order = np.argsort(position, kind="stable")
    position, depth = position[order], np.cumsum(delta[order])
    width = np.diff(position)
    depth = depth[:-1]
    keep = (width > 0) & (depth > 0)
    cell = (position[:-1][keep] // stride) * (max_depth + 1) + depth[keep]
    out = np.bincount(cell, weights=width[keep], minlength=n_groups * (max_depth + 1))
    return out.reshape(n_docs, n_labels, max_depth + 1)


# ---------------------------------------------------------------- unitizing alpha


@dataclass(frozen=True)
class UnitizingStats:
    """Per-document parts of alpha_u for one category; D_o and D_e are sums of these.

    observed: per doc, sum over rater pairs of DKPro's segment distances, divided by (m_d - 1).
    units, cubic, within: per doc, N_c, sum of (2l^3 - 3l^2 + l) / 3 and sum of l (l - 1).
    unit_sq[d, j], gap_fit[d, j]: for the category's distinct unit lengths ``lengths[j]``, the sum
    of l^2 over units of that length in d, and sum over gaps g >= lengths[j] in d of (g - l + 1).
    """

    observed: np.ndarray
    units: np.ndarray
    cubic: np.ndarray
    within: np.ndarray
    unit_sq: np.ndarray
    gap_fit: np.ndarray


def unitizing_statistics(
    units: Intervals, doc_lengths: np.ndarray, coverage: np.ndarray, n_labels: int
) -> list[UnitizingStats]:
    """Sufficient statistics of alpha_u per label, from merged units (see ``merge_overlapping``).

    ``coverage[d, r]`` says rater r annotated document d (finished it); other raters are missing
    there. Documents with fewer than two raters contribute nothing. Gaps (stretches a rater left
    unmarked for a label) end at document boundaries: a unit cannot be placed across documents.
    """
    n_docs, n_raters = coverage.shape
    m = coverage.sum(1)
    units = units.take(np.flatnonzero(m[units.doc] >= 2))
    stride = int(doc_lengths.max(initial=0)) + 1
    length = (units.end - units.start).astype(float)
    cell = units.doc * n_labels + units.label
    size = n_docs * n_labels

    observed = np.zeros(size)
    for r1, r2 in combinations(range(n_raters), 2):
        both = coverage[:, r1] & coverage[:, r2]
        ia = np.flatnonzero((units.rater == r1) & both[units.doc])
        ib = np.flatnonzero((units.rater == r2) & both[units.doc])
        i, j = overlapping_pairs(units.take(ia), units.take(ib), n_labels, stride)
        i, j = ia[i], ib[j]
        shift = (units.start[i] - units.start[j]) ** 2 + (units.end[i] - units.end[j]) ** 2
        alone = np.r_[np.setdiff1d(ia, i), np.setdiff1d(ib, j)]  # lies within a gap of the other
        pair = np.bincount(cell[i], weights=shift.astype(float), minlength=size).astype(float)
        pair += np.bincount(cell[alone], weights=length[alone] ** 2, minlength=size)
        observed += pair / np.repeat(np.maximum(m - 1, 1), n_labels)

    # Gaps per (doc, rater, label): before each unit, after the last one, or the whole document.
    group = (units.doc * n_raters + units.rater) * n_labels + units.label
    first = np.r_[True, group[1:] != group[:-1]]
    last = np.r_[group[1:] != group[:-1], True]
    before = units.start - np.where(first, 0, np.r_[0, units.end[:-1]])
    after = doc_lengths[units.doc] - units.end
    docs, raters = np.nonzero(coverage & (m >= 2)[:, None])
    all_groups = ((docs * n_raters + raters)[:, None] * n_labels + np.arange(n_labels)).ravel()
    empty = np.setdiff1d(all_groups, group)
    empty_doc = empty // (n_raters * n_labels)
    gap_doc = np.r_[units.doc[before > 0], units.doc[last & (after > 0)], empty_doc]
    gap_label = np.r_[units.label[before > 0], units.label[last & (after > 0)], empty % n_labels]
    gap = np.r_[before[before > 0], after[last & (after > 0)], doc_lengths[empty_doc]]

    def per_doc(values: np.ndarray, label: int) -> np.ndarray:
        return np.bincount(cell, weights=values, minlength=size).reshape(n_docs, n_labels)[:, label]

    stats = []
    for label in range(n_labels):
        mine = units.label == label
        distinct, j = np.unique(length[mine], return_inverse=True)
        k = distinct.size
        unit_sq = np.bincount(
            units.doc[mine] * k + j, weights=length[mine] ** 2, minlength=n_docs * k
        ).reshape(n_docs, k)
        g = gap[gap_label == label]
        bucket = np.searchsorted(distinct, g, "right") - 1  # largest unit length <= g
        fits = bucket >= 0
        index = gap_doc[gap_label == label][fits] * k + bucket[fits]
        plus_one = np.bincount(index, weights=g[fits] + 1.0, minlength=n_docs * k)
        count = np.bincount(index, minlength=n_docs * k).astype(float)
        plus_one = plus_one.reshape(n_docs, k)[:, ::-1].cumsum(1)[:, ::-1]
        count = count.reshape(n_docs, k)[:, ::-1].cumsum(1)[:, ::-1]
        is_label = (units.label == label).astype(float)
        stats.append(
            UnitizingStats(
                observed=observed.reshape(n_docs, n_labels)[:, label].copy(),
                units=per_doc(is_label, label),
                cubic=per_doc(is_label * (2 * length**3 - 3 * length**2 + length) / 3, label),
                within=per_doc(is_label * length * (length - 1), label),
                unit_sq=unit_sq,
                gap_fit=plus_one - distinct * count,
            )
        )
    return stats


def unitizing_disagreements(
    stats: UnitizingStats,
    total_length: np.ndarray | float,
    pairable: np.ndarray | float,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected disagreement of one category, summed over (weighted) documents.

    Follows DKPro Statistics' ``KrippendorffAlphaUnitizingAgreement``:
    D_o = 2 * sum_pairs sum dist / (m (m - 1) L^2) and
    D_e = (2 / L) * sum_units [(N_c - 1)(2l^3 - 3l^2 + l)/3 + l^2 sum_{gaps g >= l} (g - l + 1)]
    / (mL (mL - 1) - sum_units l (l - 1)).
    With missing raters, mL becomes n = sum_d m_d L_d (pairable length) and each document's pair
    distances are weighted 1 / (m_d - 1), as in alpha's coincidence matrix; both reduce to DKPro
    when every rater annotated every document. L cancels out of alpha.
    ``weights`` (draws x docs) gives one result per bootstrap draw; ``total_length`` and
    ``pairable`` are then the weighted sums of L_d and m_d L_d per draw.
    """

    def total(x: np.ndarray) -> np.ndarray:
        summed: np.ndarray = x.sum(0) if weights is None else weights @ x
        return summed

    cross = (total(stats.unit_sq) * total(stats.gap_fit)).sum(-1)
    expected = (total(stats.units) - 1) * total(stats.cubic) + cross
    n = pairable
    d_o = _ratio(2 * total(stats.observed), n * total_length)
    d_e = _ratio(2 * expected, total_length * (n * (n - 1) - total(stats.within)))
    return d_o, d_e


def unitizing_alpha(
    units: Iterable[tuple[Hashable, Hashable, int, int]],
    raters: Sequence[Hashable],
    start: int,
    end: int,
) -> UnitizingAlpha:
    """Krippendorff's unitizing alpha (alpha_u) of one continuum [start, end) that every rater
    unitized completely (Krippendorff 2004, Quality & Quantity 38; DKPro Statistics).

    ``units`` are (rater, category, unit_start, unit_end) with half-open ranges inside the
    continuum. Returns ``{"per_category": {category: {"alpha_u", "observed", "expected"}},
    "pooled": {...}}``; pooled alpha_u is 1 - mean D_o / mean D_e over categories (DKPro's
    calculateAgreement). alpha_u is None where D_e is 0 (the category was never used; DKPro returns
    0 there). A rater's overlapping units of one category are merged first.
    """
    rater_index = {r: i for i, r in enumerate(dict.fromkeys(raters))}
    rows = list(units)
    categories: list[Any] = sorted({row[1] for row in rows}, key=_sortable)
    category_index = {c: i for i, c in enumerate(categories)}
    for rater, _, s, e in rows:
        if rater not in rater_index or not start <= s < e <= end:
            raise ValueError(
                f"unit {(rater, s, e)} is outside the continuum or of an unlisted rater"
            )
    columns = np.array(
        [(0, rater_index[r], category_index[c], s - start, e - start) for r, c, s, e in rows],
        np.int64,
    ).reshape(-1, 5)
    length = end - start
    merged = merge_overlapping(Intervals(*columns.T), length + 1)
    coverage = np.ones((1, len(rater_index)), bool)
    stats = unitizing_statistics(merged, np.array([length]), coverage, len(categories))
    pairable = float(len(rater_index) * length) if len(rater_index) >= 2 else 0.0
    per_category: dict[Hashable, AlphaU] = {}
    for category, stat in zip(categories, stats, strict=True):
        d_o, d_e = unitizing_disagreements(stat, float(length), pairable)
        per_category[category] = _alpha_u_entry(d_o, d_e)
    observed = [v["observed"] for v in per_category.values()]
    expected = [v["expected"] for v in per_category.values()]
    pooled = _alpha_u_entry(_mean(observed), _mean(expected))
    return {"per_category": per_category, "pooled": pooled}


def _mean(values: list[float | None]) -> float:
    """The mean, NaN (undefined) when there is none or one of them is undefined."""
    known = [value for value in values if value is not None]
    if not values or len(known) < len(values):
        return float("nan")
    return float(np.mean(known))


def _sortable(value: Hashable) -> Any:
    """Categories are sorted for a stable order; they are mutually sortable (label names)."""
    return value


def _alpha_u_entry(d_o: np.ndarray | float, d_e: np.ndarray | float) -> AlphaU:
    return {
        "alpha_u": _scalar(1 - _ratio(d_o, d_e)),
        "observed": _scalar(d_o),
        "expected": _scalar(d_e),
    }
