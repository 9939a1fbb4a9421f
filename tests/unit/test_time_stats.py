"""Active time summarised for the dashboard: median, quartiles, bins, durations, the chart."""

from __future__ import annotations

import pytest

from annotator.charts import time_chart
from annotator.time_stats import bin_counts, bin_names, duration, summarise


def test_bins_are_named_in_minutes_and_cover_every_duration():
    assert bin_names() == [
        "< 1 min", "1–2 min", "2–5 min", "5–10 min", "10–20 min", "20–30 min", "≥ 30 min",
    ]  # fmt: skip
    assert bin_counts([0, 59, 60, 299, 300, 1799, 1800, 10**6]) == [2, 1, 1, 1, 0, 1, 2]


def test_a_summary_has_the_median_and_quartiles_of_the_documents():
    summary = summarise([600, 60, 120, 300])
    assert (summary.documents, summary.total, summary.median) == (4, 1080, 210.0)
    assert summary.lower_quartile <= summary.median <= summary.upper_quartile
    assert summarise([]).documents == 0 and summarise([90]).median == 90.0


@pytest.mark.parametrize(
    ("seconds", "words"), [(42, "42 s"), (200, "3 min 20 s"), (3900, "1 h 05 min")]
)
def test_durations_read_as_people_write_them(seconds, words):
    assert duration(seconds) == words


def test_the_time_chart_writes_every_figure_as_text_not_only_as_bars():
    chart = time_chart(bin_names(), {"ann": summarise([200, 400]), "bob": summarise([])})
    assert "ann: 2 documents, median 5 min 00 s" in chart
    assert "ann, 2–5 min: 1" in chart and "ann, 5–10 min: 1" in chart
    assert "bob: no time measured yet" in chart
    assert time_chart(bin_names(), {}).count("No annotators yet.") == 2
