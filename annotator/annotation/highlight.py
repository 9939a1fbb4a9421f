"""Render a document's text with its spans as nested ``<mark>`` elements, and the side panel's
span and link lists. Pure.

Overlapping spans that cross each other are split into fragments (sharing ``data-span``), so the
HTML stays well nested and every span remains visible and clickable. The text inside is exactly the
stored text (HTML-escaped), so the browser's text offsets map back to stored offsets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape as _html_escape
from typing import Any

from markupsafe import Markup

from annotator.annotation.definitions import missing_required
from annotator.annotation.value_types import show


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
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # the source the span names (the source registry): (id, name, kind), or None
    source: tuple[int, str, str] | None = field(default=None, compare=False)


def _nesting_key(span: Highlight) -> tuple[int, int, str]:
    # Outer (earlier start, later end) first, so it wraps the inner ones.
    return (span.start, -span.end, span.id)


#: About how many characters go into one block of the text (see ``render``).
BLOCK = 2_000


def block_ends(text: str, size: int = BLOCK) -> list[int]:
    """Where the blocks of ``text`` end (code points, exclusive, the last one ``len(text)``): each
    block ends just after the first newline that comes ``size`` or more characters after its
    start, so that no line is cut; a text without such a newline is one block."""
    ends, start = [], 0
    while start < len(text):
        newline = text.find("\n", start + size - 1)
        end = len(text) if newline < 0 else newline + 1
        ends.append(end)
        start = end
    return ends or [0]


def render(text: str, spans: Sequence[Highlight], block: int = BLOCK) -> Markup:
    """HTML for ``text`` with ``spans`` (code-point offsets, half-open) as nested marks.

    A long text is cut, after a newline, into blocks of about ``block`` characters
    (``<div class="block">``, no other characters added), which the browser lays out only near
    the screen (``content-visibility``, app.css; issue 19). A span that runs over the end of a
    block is split there into fragments sharing ``data-span``, like a span crossed by another."""
    ends = block_ends(text, block)
    blocks = len(ends) > 1
    if not spans:
        if not blocks:
            return Markup(escape(text))
        starts = [0, *ends[:-1]]
        return Markup(
            "".join(
                f'<div class="block">{escape(text[a:b])}</div>'
                for a, b in zip(starts, ends, strict=True)
            )
        )
    breaks = set(ends[:-1]) if blocks else set()
    boundaries = sorted({0, len(text), *breaks, *(s.start for s in spans), *(s.end for s in spans)})
    ordered = sorted(spans, key=_nesting_key)
    out: list[str] = ['<div class="block">'] if blocks else []
    stack: list[Highlight] = []
    active: list[Highlight] = []
    next_index = 0
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        if left in breaks:
            out.append("</mark>" * len(stack) + '</div><div class="block">')
            stack.clear()
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
            out.append(_open(span, len(stack), first=span.start == left))
        out.append(escape(text[left:right]))
    out.append("</mark>" * len(stack))
    if blocks:
        out.append("</div>")
    return Markup("".join(out))


def _attributes_text(attributes: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}: {show(value)}" for name, value in attributes.items())


def _open(span: Highlight, depth: int, *, first: bool) -> str:
    """The opening tag of one fragment of ``span``. The first fragment carries ``data-tag``, the
    label the CSS prints before it (generated content: the text and its offsets stay exact), so
    a span split by a crossing one is tagged once, and nested spans of one label each show one."""
    title = span.label + (f": {span.note}" if span.note else "")
    if span.attributes:
        title += f" ({_attributes_text(span.attributes)})"
    tag = f' data-tag="{escape(span.label)}"' if first else ""
    return (
        f'<mark class="span lab-{span.label_id} d{min(depth, 4)}" data-span="{escape(span.id)}"'
        f'{tag} title="{escape(title)}">'
    )


def _preview(text: str, span: Highlight, preview: int) -> str:
    covered = text[span.start : span.end]
    return covered[: preview - 1] + "…" if len(covered) > preview else covered


def render_list(
    text: str,
    spans: Sequence[Highlight],
    preview: int = 80,
    definitions: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> Markup:
    """The side panel's list items, in text order: label, a preview of the text, the note, the
    attribute values (also as JSON in ``data-attributes``, for the popover), the source the span
    names (also as JSON in ``data-source``), and, given the
    labels' attribute ``definitions`` (label name -> ``Label.attributes``), the required
    attributes a span still lacks.

    Three nodes per item (the item, its button, the preview's text): the label and its colour
    swatch are the button's generated content (``data-label``, class ``lab-N``), so that 1,000
    spans cost 3,000 nodes rather than 8,000 (issue 19). A note, attribute values or missing
    required attributes add one element each."""
    if not spans:
        return Markup('<li class="muted empty">No spans yet.</li>')
    items = []
    for span in spans:
        covered = _preview(text, span, preview)
        note = f'<span class="span-note">{escape(span.note)}</span>' if span.note else ""
        values = (
            f'<span class="span-attributes">{escape(_attributes_text(span.attributes))}</span>'
            if span.attributes
            else ""
        )
        missing = missing_required(span.attributes or {}, (definitions or {}).get(span.label, ()))
        if missing:
            values += f'<span class="span-missing">missing: {escape(", ".join(missing))}</span>'
        data = escape(json.dumps(dict(span.attributes or {}), ensure_ascii=False))
        source = ""
        if span.source is not None:
            source_id, name, kind = span.source
            values += f'<span class="span-source">source: {escape(name)} ({escape(kind)})</span>'
            named = json.dumps({"id": source_id, "name": name, "kind": kind}, ensure_ascii=False)
            source = f' data-source="{escape(named)}"'
        label = escape(span.label)
        items.append(
            f'<li data-span="{escape(span.id)}" data-label="{label}" '
            f'data-start="{span.start}" data-end="{span.end}" data-note="{escape(span.note)}" '
            f'data-attributes="{data}"{source}>'
            f'<button type="button" class="span-item lab-{span.label_id}" data-label="{label}">'
            f"{escape(covered)}{note}{values}</button></li>"
        )
    return Markup("".join(items))


@dataclass(frozen=True)
class Link:
    """A relation as the side panel shows it: ends are span ids of the listed highlights."""

    id: str
    type: str
    source: str
    target: str
    value: str | None = None


def render_links(
    text: str,
    spans: Sequence[Highlight],
    links: Sequence[Link],
    preview: int = 40,
    editable: bool = True,
) -> Markup:
    """The side panel's links, in the order given: source → type → target (and value). Each item
    carries its ends' span ids, so hovering a span or a link can light up the other side."""
    if not links:
        return Markup('<li class="muted empty">No links yet.</li>')
    by_id = {span.id: span for span in spans}
    items = []
    for link in links:
        ends = []
        for span_id in (link.source, link.target):
            span = by_id.get(span_id)
            quoted = f"«{escape(_preview(text, span, preview))}»" if span else "?"
            swatch = f" lab-{span.label_id}" if span else ""
            ends.append(
                f'<span class="link-end{swatch}" data-span="{escape(span_id)}">{quoted}</span>'
            )
        value = f'<span class="link-value">{escape(link.value)}</span>' if link.value else ""
        remove = (
            '<button type="button" class="link link-delete" aria-label="Delete this link" '
            'title="Delete this link">×</button>'
            if editable
            else ""
        )
        # No whitespace between the parts: the item is a flex row with a gap (relations.css), and
        # each space would be one more text node; the arrows are the item's ::before and ::after
        # (relations.css), not two elements and two text nodes each (issue 19).
        items.append(
            f'<li data-relation="{escape(link.id)}" data-type="{escape(link.type)}" '
            f'data-source="{escape(link.source)}" data-target="{escape(link.target)}" '
            f'data-value="{escape(link.value or "")}">'
            f'{ends[0]}<span class="link-type">{escape(link.type)}</span>{value}{ends[1]}'
            f"{remove}</li>"
        )
    return Markup("".join(items))
