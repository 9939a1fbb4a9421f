"""Agreement per week of finished work, and the small SVG chart the agreement page draws of it,
so a lead sees whether a guideline change helped.

A document belongs to the week (Monday, UTC) in which its second annotator finished it: the week
it became comparable. Each week's figures are those of `compute_agreement` on that week's
documents alone (no intervals: a week holds few documents): the mean over annotator pairs of
overlap F1 and of exact F1, as the dataset card gives them. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from html import escape

from markupsafe import Markup

from annotator.agreement.matching import Span
from annotator.agreement.report import compute_agreement


def week_of(moment: datetime) -> date:
    """The Monday of ``moment``'s ISO week."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def comparable_since(done_at: Mapping[str, Sequence[datetime]]) -> dict[str, date]:
    """Document key -> the week its second finisher finished it (documents finished by fewer
    than two are left out)."""
    return {
        doc: week_of(sorted(moments)[1]) for doc, moments in done_at.items() if len(moments) >= 2
    }


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def per_week(
    spans: Sequence[Span],
    lengths: Mapping[str, int],
    finished: Mapping[str, Collection[str]],
    labels: Sequence[str],
    annotators: Sequence[str] | None,
    weeks: Mapping[str, date],
) -> list[dict]:
    """``[{"week": "YYYY-MM-DD", "documents", "overlap_f1", "exact_f1"}]``, oldest week first;
    F1s are means over the pairs that have one (None when none has)."""
    by_week: dict[date, set[str]] = {}
    for doc, week in weeks.items():
        if doc in finished:
            by_week.setdefault(week, set()).add(doc)
    spans_of: dict[date, list[Span]] = {}
    for span in spans:  # one pass, not one per week
        week = weeks.get(span.document)
        if week is not None:
            spans_of.setdefault(week, []).append(span)
    out = []
    for week in sorted(by_week):
        docs = by_week[week]
        report = compute_agreement(
            spans_of.get(week, []),
            {doc: lengths[doc] for doc in docs},
            {doc: finished[doc] for doc in docs},
            labels,
            annotators=annotators,
            bootstrap=0,
        )
        if not report["documents"]:
            continue
        out.append(
            {
                "week": week.isoformat(),
                "documents": report["documents"],
                "overlap_f1": _mean(p["overlap_f1"] for p in report["pairwise"]),
                "exact_f1": _mean(p["exact_f1"] for p in report["pairwise"]),
            }
        )
    return out


WIDTH, HEIGHT, PAD = 560, 200, 36
SERIES = (("overlap_f1", "overlap F1", "#4c78a8", ""), ("exact_f1", "exact F1", "#e45756", "4 3"))


def chart(weeks: Sequence[Mapping]) -> Markup:
    """An SVG line chart (0..1 on the y axis) of each week's overlap and exact F1, with a title
    and a description for screen readers; the table beside it carries the same numbers."""
    if not weeks:
        return Markup("")
    step = (WIDTH - 2 * PAD) / max(len(weeks) - 1, 1)

    def x(k: int) -> float:
        return PAD + k * step if len(weeks) > 1 else WIDTH / 2

    def y(value: float) -> float:
        return HEIGHT - PAD - value * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg class="over-time" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="over-time-title over-time-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="over-time-title">Agreement per week</title>',
        '<desc id="over-time-desc">Mean pairwise overlap F1 (solid) and exact F1 (dashed) of '
        "the documents that became comparable each week; the table below lists the values.</desc>",
    ]
    for tick in (0, 0.5, 1):
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{PAD - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#656d76">{tick:g}</text>'
        )
    for k, week in enumerate(weeks):
        if len(weeks) <= 12 or k % max(len(weeks) // 12, 1) == 0:
            parts.append(
                f'<text x="{x(k):.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle" '
                f'font-size="10" fill="#656d76">{escape(week["week"][5:])}</text>'
            )
    for key, name, colour, dash in SERIES:
        points = [(x(k), y(w[key])) for k, w in enumerate(weeks) if w[key] is not None]
        if not points:
            continue
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(
            f'<polyline class="series" data-series="{key}" points="{path}" fill="none" '
            f'stroke="{colour}" stroke-width="2"{dashes}><title>{name}</title></polyline>'
        )
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
