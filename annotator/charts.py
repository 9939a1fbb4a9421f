"""Server-rendered SVG charts for the dashboard. Pure: data in, markup out (no Flask, no database).

Charts must read without colour: every bar carries its number as text, every group its name, and
colour only repeats what the text says. Text is escaped here, so the markup is safe to insert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from annotator.time_stats import TimeSummary, duration

ROW = 22  # height of one bar row, px
NAME_WIDTH = 130
BAR_WIDTH = 360
VALUE_WIDTH = 90
GREY = "#4c78a8"


def _svg(title: str, description: str, height: int, body: list[str], chart_id: str) -> str:
    width = NAME_WIDTH + BAR_WIDTH + VALUE_WIDTH
    return (
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{escape(chart_id)}-title '
        f'{escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="12" '
        f'font-weight="{weight}" fill="#222">{escape(text)}</text>'
    )


def _bar(y: float, value: int, most: int, color: str, label: str) -> list[str]:
    length = BAR_WIDTH * value / most if most else 0
    return [
        f'<rect x="{NAME_WIDTH}" y="{y + 3:.1f}" width="{length:.1f}" height="{ROW - 6}" '
        f'fill="{escape(color)}" stroke="#222" stroke-width="0.5"><title>{escape(label)}</title>'
        "</rect>",
        _text(NAME_WIDTH + length + 4, y + ROW - 7, label.rsplit(": ", 1)[-1]),
    ]


def progress_chart(days: Sequence[str], done: Mapping[str, Mapping[str, int]]) -> str:
    """Documents finished per day, one block per annotator (small multiples): each day a bar with
    its date and count written beside it. ``done[annotator][day]``; ``days`` ISO dates in order."""
    most = max((count for per_day in done.values() for count in per_day.values()), default=0)
    body, y = [], 4.0
    if not days or not done:
        body.append(_text(4, 18, "Nothing finished yet."))
        return _svg("Documents done per day", "No documents finished yet.", 28, body, "progress")
    for annotator, per_day in done.items():
        total = sum(per_day.values())
        body.append(_text(4, y + 14, f"{annotator} ({total} done)", weight="bold"))
        y += ROW
        for day in days:
            count = per_day.get(day, 0)
            body.append(_text(NAME_WIDTH - 6, y + ROW - 7, day, anchor="end"))
            body += _bar(y, count, most, GREY, f"{annotator}, {day}: {count}")
            y += ROW
        y += 6
    description = "; ".join(
        f"{annotator}: " + ", ".join(f"{day} {per_day.get(day, 0)}" for day in days)
        for annotator, per_day in done.items()
    )
    return _svg("Documents done per day, per annotator", description, int(y) + 4, body, "progress")


def label_chart(labels: Sequence[tuple[str, str]], counts: Mapping[str, Mapping[str, int]]) -> str:
    """Spans per label, one block per annotator, each bar with the label's name, count and share
    of that annotator's spans (someone marking twice as many claims stands out by the numbers,
    not only by bar length). ``labels``: (name, colour); ``counts[annotator][label]``."""
    most = max((count for per_label in counts.values() for count in per_label.values()), default=0)
    body, y = [], 4.0
    if not counts or not labels:
        body.append(_text(4, 18, "No annotators yet."))
        return _svg("Spans per label", "No annotators yet.", 28, body, "labels")
    for annotator, per_label in counts.items():
        total = sum(per_label.values())
        body.append(_text(4, y + 14, f"{annotator} ({total} spans)", weight="bold"))
        y += ROW
        for name, color in labels:
            count = per_label.get(name, 0)
            share = f"{100 * count / total:.0f}%" if total else "0%"
            body.append(_text(NAME_WIDTH - 6, y + ROW - 7, name, anchor="end"))
            body += _bar(y, count, most, color, f"{annotator}, {name}: {count} ({share})")
            y += ROW
        y += 6
    description = "; ".join(
        f"{annotator}: " + ", ".join(f"{name} {per_label.get(name, 0)}" for name, _ in labels)
        for annotator, per_label in counts.items()
    )
    return _svg("Spans per label, per annotator", description, int(y) + 4, body, "labels")


def time_chart(bins: Sequence[str], summaries: Mapping[str, TimeSummary]) -> str:
    """Active time per document, one block per annotator: a heading with the number of
    documents, the median and the quartiles, then one bar per bin (``< 1 min`` …) with its count
    written beside it. ``bins``: the bins' names (``time_stats.bin_names``)."""
    most = max((count for summary in summaries.values() for count in summary.bins), default=0)
    body, y = [], 4.0
    if not summaries:
        body.append(_text(4, 18, "No annotators yet."))
        return _svg("Active time per document", "No annotators yet.", 28, body, "time")
    headings = []
    for annotator, summary in summaries.items():
        if summary.documents:
            plural = "" if summary.documents == 1 else "s"
            heading = (
                f"{annotator}: {summary.documents} document{plural}, "
                f"median {duration(summary.median)}"
                f" (quartiles {duration(summary.lower_quartile)} to "
                f"{duration(summary.upper_quartile)})"
            )
        else:
            heading = f"{annotator}: no time measured yet"
        headings.append(heading)
        body.append(_text(4, y + 14, heading, weight="bold"))
        y += ROW
        for name, count in zip(bins, summary.bins, strict=True):
            body.append(_text(NAME_WIDTH - 6, y + ROW - 7, name, anchor="end"))
            body += _bar(y, count, most, GREY, f"{annotator}, {name}: {count}")
            y += ROW
        y += 6
    title = "Active time per document, per annotator"
    return _svg(title, "; ".join(headings), int(y) + 4, body, "time")
