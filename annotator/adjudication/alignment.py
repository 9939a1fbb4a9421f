"""Align several annotators' spans on one document into regions, for comparison and adjudication.

A region is a maximal stretch of text covered by overlapping spans of any annotator and label.
Within it, each annotator's spans are listed and the region is classified the way a curator reads
it: ``agree`` (every annotator has the same spans), or the kinds of disagreement found:
``missing`` (some annotator has nothing there), ``label`` (same range, another label),
``boundary`` (same label, other offsets), ``extra`` (an annotator has more spans than another).
Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """One annotator's span: code-point offsets, half-open, and its attribute values (which do
    not take part in alignment or comparison of marks)."""

    id: str
    annotator: str
    label: str
    start: int
    end: int
    attributes: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.label, self.start, self.end)


@dataclass
class Region:
    start: int
    end: int
    marks: dict[str, list[Mark]] = field(default_factory=dict)  # annotator -> their spans here
    kinds: list[str] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        return self.kinds == ["agree"]

    def support(self) -> dict[tuple[str, int, int], list[Mark]]:
        """Each distinct (label, start, end) here, with its spans (one per annotator)."""
        found: dict[tuple[str, int, int], list[Mark]] = {}
        for marks in self.marks.values():
            for key in {mark.key for mark in marks}:
                found.setdefault(key, []).append(next(m for m in marks if m.key == key))
        return dict(sorted(found.items(), key=lambda item: (item[0][1], -item[0][2], item[0][0])))


def align(marks: Sequence[Mark], annotators: Sequence[str]) -> list[Region]:
    """Group ``marks`` into regions of overlapping spans, in text order, and classify each."""
    regions: list[Region] = []
    for mark in sorted(marks, key=lambda m: (m.start, -m.end, m.annotator, m.label)):
        if regions and mark.start < regions[-1].end:
            region = regions[-1]
            region.end = max(region.end, mark.end)
        else:
            region = Region(mark.start, mark.end)
            regions.append(region)
        region.marks.setdefault(mark.annotator, []).append(mark)
    for region in regions:
        region.kinds = classify(region, annotators)
    return regions


def classify(region: Region, annotators: Sequence[str]) -> list[str]:
    """Kinds of disagreement between annotators in a region (a single annotator's own nested or
    repeated spans are not a disagreement)."""
    sets = {name: {mark.key for mark in region.marks.get(name, [])} for name in annotators}
    if len(annotators) < 2 or all(keys == sets[annotators[0]] for keys in sets.values()):
        return ["agree"]
    kinds = []
    if any(not keys for keys in sets.values()):
        kinds.append("missing")
    present = {name: keys for name, keys in sets.items() if keys}
    labels_at: dict[tuple[int, int], dict[str, frozenset[str]]] = {}
    ranges_of: dict[str, dict[str, frozenset[tuple[int, int]]]] = {}
    for name, keys in present.items():
        for start, end in {(start, end) for _label, start, end in keys}:
            labels_at.setdefault((start, end), {})[name] = frozenset(
                label for label, s, e in keys if (s, e) == (start, end)
            )
        for label in {label for label, _start, _end in keys}:
            ranges_of.setdefault(label, {})[name] = frozenset(
                (s, e) for other, s, e in keys if other == label
            )
    if any(len(set(by_name.values())) > 1 for by_name in labels_at.values() if len(by_name) > 1):
        kinds.append("label")
    if any(len(set(by_name.values())) > 1 for by_name in ranges_of.values() if len(by_name) > 1):
        kinds.append("boundary")
    if len({len(keys) for keys in present.values()}) > 1:
        kinds.append("extra")
    return kinds or ["label"]


def agreed_keys(
    regions: Sequence[Region], at_least: int
) -> list[tuple[tuple[str, int, int], list[Mark]]]:
    """Spans (label, start, end) that at least ``at_least`` annotators marked identically."""
    return [
        (key, marks)
        for region in regions
        for key, marks in region.support().items()
        if len(marks) >= at_least
    ]


def agreed_attributes(marks: Sequence[Mark]) -> dict[str, str]:
    """The attribute values every one of ``marks`` gives alike (an attribute some leave unset is
    not agreed)."""
    if not marks:
        return {}
    first = marks[0].attributes
    return {
        name: value
        for name, value in first.items()
        if all(mark.attributes.get(name) == value for mark in marks[1:])
    }


@dataclass(frozen=True)
class LinkRow:
    """One distinct link on a document: (type, source key, target key), where a key is a span's
    (label, start, end), with each annotator's relation id and value for it."""

    type: str
    source: tuple[str, int, int]
    target: tuple[str, int, int]
    ids: dict[str, str]  # annotator -> relation id
    values: dict[str, str | None]  # annotator -> value

    @property
    def key(self) -> tuple:
        return (self.type, self.source, self.target)


def link_rows(
    links: Sequence[tuple[str, str, str, str | None, Mark, Mark]],
) -> list[LinkRow]:
    """Group annotators' links ``(relation id, annotator, type, value, source, target)`` by
    (type, source key, target key), in the text order of their sources, then targets."""
    rows: dict[tuple, LinkRow] = {}
    for relation_id, annotator, type_name, value, source, target in links:
        key = (type_name, source.key, target.key)
        row = rows.setdefault(key, LinkRow(type_name, source.key, target.key, {}, {}))
        row.ids.setdefault(annotator, relation_id)
        row.values.setdefault(annotator, value)

    def order(row: LinkRow) -> tuple:
        return (row.source[1], -row.source[2], row.target[1], -row.target[2], row.type)

    return sorted(rows.values(), key=order)


def summary(regions: Sequence[Region]) -> Mapping[str, int]:
    counts = {"agree": 0, "missing": 0, "label": 0, "boundary": 0, "extra": 0}
    for region in regions:
        for kind in region.kinds:
            counts[kind] += 1
    return counts
