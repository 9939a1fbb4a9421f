"""Active time per document, summarised: median, quartiles and a distribution in fixed bins.
Pure: seconds in, figures out (the dashboard's time chart and its CSV use them)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

#: Upper ends (seconds, exclusive) of the distribution's bins; the last bin is open-ended.
BIN_ENDS = (60, 120, 300, 600, 1200, 1800)


def bin_names() -> list[str]:
    """``< 1 min``, ``1–2 min``, …, ``≥ 30 min``: one name per bin, in order."""
    names, low = [], 0
    for end in BIN_ENDS:
        names.append(f"< {end // 60} min" if low == 0 else f"{low // 60}–{end // 60} min")
        low = end
    names.append(f"≥ {low // 60} min")
    return names


def bin_counts(seconds: Sequence[int]) -> list[int]:
    """How many of ``seconds`` fall in each bin of :func:`bin_names`."""
    counts = [0] * (len(BIN_ENDS) + 1)
    for value in seconds:
        index = next((i for i, end in enumerate(BIN_ENDS) if value < end), len(BIN_ENDS))
        counts[index] += 1
    return counts


@dataclass(frozen=True)
class TimeSummary:
    documents: int
    total: int  # seconds
    median: float  # seconds; 0 with no documents
    lower_quartile: float
    upper_quartile: float
    bins: list[int]


def summarise(seconds: Sequence[int]) -> TimeSummary:
    """The figures of one annotator's active seconds per document."""
    values = sorted(seconds)
    if not values:
        return TimeSummary(0, 0, 0.0, 0.0, 0.0, bin_counts(()))
    if len(values) == 1:
        low = high = float(values[0])
    else:
        low, _middle, high = statistics.quantiles(values, n=4, method="inclusive")
    return TimeSummary(
        len(values),
        sum(values),
        float(statistics.median(values)),
        float(low),
        float(high),
        bin_counts(values),
    )


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 20 s``, ``1 h 05 min``: how the pages write a duration."""
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
