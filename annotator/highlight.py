"""Render a document's text with its spans as nested ``<mark>`` elements. Pure.

Overlapping spans that cross each other are split into fragments (sharing ``data-span``), so the
HTML stays well nested and every span remains visible and clickable. The text inside is exactly the
stored text (HTML-escaped), so the browser's text offsets map back to stored offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape as _html_escape

from markupsafe import Markup


def escape(value: str) -> str:
    # html.escape is several times faster than markupsafe's per call on short strings, and this
    # runs thousands of times per page (1,000 spans).
    return _html_escape(value, quote=True)


@dataclass(frozen=True)
class Highlight:
    id: str
    label_id: int
    label: str
    start: int
    end: int
    note: str = ""


def _nesting_key(span: Highlight) -> tuple:
    # Outer (earlier start, later end) first, so it wraps the inner ones.
    return (span.start, -span.end, span.id)


def render(text: str, spans: Sequence[Highlight]) -> Markup:
    """HTML for ``text`` with ``spans`` (code-point offsets, half-open) as nested marks."""
    if not spans:
        return Markup(escape(text))
    boundaries = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    ordered = sorted(spans, key=_nesting_key)
    out: list[str] = []
    stack: list[Highlight] = []
    active: list[Highlight] = []
    next_index = 0
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        active = [s for s in active if s.end > left]
        while next_index < len(ordered) and ordered[next_index].start <= left:
            if ordered[next_index].end > left:
                active.append(ordered[next_index])
            next_index += 1
        wanted = sorted(active, key=_nesting_key)
        common = 0
        while common < len(stack) and common < len(wanted) and stack[common] is wanted[common]:
            common += 1
        for _ in range(len(stack) - common):
            out.append("</mark>")
        del stack[common:]
        for span in wanted[common:]:
            stack.append(span)
            out.append(_open(span, len(stack)))
        out.append(escape(text[left:right]))
    out.append("</mark>" * len(stack))
    return Markup("".join(out))


def _open(span: Highlight, depth: int) -> str:
    title = span.label + (f": {span.note}" if span.note else "")
    return (
        f'<mark class="span lab-{span.label_id} d{min(depth, 4)}" data-span="{escape(span.id)}" '
        f'title="{escape(title)}">'
    )


def render_list(text: str, spans: Sequence[Highlight], preview: int = 80) -> Markup:
    """The side panel's list items, in text order: label, a preview of the text, the note."""
    if not spans:
        return Markup('<li class="muted empty">No spans yet.</li>')
    items = []
    for span in spans:
        covered = text[span.start : span.end]
        if len(covered) > preview:
            covered = covered[: preview - 1] + "…"
        note = f'<span class="span-note">{escape(span.note)}</span>' if span.note else ""
        items.append(
            f'<li data-span="{escape(span.id)}" data-label="{escape(span.label)}" '
            f'data-start="{span.start}" data-end="{span.end}" data-note="{escape(span.note)}">'
            f'<button type="button" class="span-item"><span class="swatch lab-{span.label_id}">'
            f'</span><span class="span-label">{escape(span.label)}</span> '
            f'<span class="span-text">{escape(covered)}</span>{note}</button></li>'
        )
    return Markup("".join(items))
