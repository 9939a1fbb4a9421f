"""The curation view's pure parts: a document rendered once per annotator (and once for gold),
cut into the same lines so the lanes align line by line, and what each region of
`alignment.align` offers a curator (its majority, whether it is decided).

Offsets are code points, half-open ``[start, end)``, into the stored text. A span crossing a line
break is drawn in each line it covers, every piece keeping the span's id (``data-span``), so a
click on any piece means the whole span. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from markupsafe import Markup

from annotator.adjudication.alignment import MINIMUM, Mark, Region
from annotator.annotation.highlight import Highlight, render


def lines_of(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each non-empty line of ``text`` (without its line break)."""
    found, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            found.append((start, start + len(line)))
        start += len(line) + 1
    return found


def clip(spans: Sequence[Highlight], start: int, end: int) -> list[Highlight]:
    """The pieces of ``spans`` inside ``[start, end)``, with offsets counted from ``start``."""
    return [
        replace(s, start=max(s.start, start) - start, end=min(s.end, end) - start)
        for s in spans
        if s.start < end and s.end > start
    ]


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    cells: dict[str, Markup]  # lane name -> the line rendered with that lane's spans


def lanes(text: str, layers: Mapping[str, Sequence[Highlight]]) -> list[Line]:
    """Each line of ``text`` rendered once per layer (annotator name or "gold"), in the order
    of ``layers``."""
    return [
        Line(
            start,
            end,
            {
                name: render(text[start:end], clip(spans, start, end))
                for name, spans in layers.items()
            },
        )
        for start, end in lines_of(text)
    ]


def majority(
    region: Region, finished: Collection[str]
) -> list[tuple[tuple[str, int, int], list[Mark]]]:
    """The spans (label, start, end) of ``region`` that more than half of the ``finished``
    annotators marked identically, and at least `MINIMUM` of them."""
    needed = max(len(finished) // 2 + 1, MINIMUM)
    found = []
    for key, marks in region.support().items():
        counted = [mark for mark in marks if mark.annotator in finished]
        if len(counted) >= needed:
            found.append((key, counted))
    return found
