"""Align several annotators' spans on one document into regions, for comparison and adjudication.

A region is a maximal stretch of text covered by overlapping spans of any annotator and label.
Within it, each annotator's spans are listed and the region is classified the way a curator reads
it, from the items `classify_pair` gives each pair of annotators who *finished* the document
(the overlap matching of agreement, `annotator.agreement.matching.overlap_matching`, then same
range with another label), so a region holds every kind found in it: ``agree`` (a pair with the
same label and range), ``missing`` (an annotator has nothing there), ``label`` (a pair with the
same range and another label), ``boundary`` (a pair with the same label and other offsets),
``extra`` (a span left without a partner by an annotator who has spans there). A region is
``["agree"]`` alone when every finished annotator marked the same spans there. Spans of
annotators who have not finished are shown but never compared (agreement needs two finished
annotators). A document's figures and counts are those of the agreement page
(`document_agreement`). Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from annotator.agreement.matching import classified_span
from annotator.agreement.report import Span, classify_pair, compute_agreement

DISAGREEMENTS = ("missing", "label", "boundary", "extra")
KINDS = ("agree", *DISAGREEMENTS)
PAIR_COUNTS = ("exact", "boundary", "label", "only_a", "only_b")
MINIMUM = 2
"""Annotators who must have finished a document before anything on it counts as agreed."""


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
        """Every finished annotator marked the same spans here."""
        return self.kinds == ["agree"]

    def support(self) -> dict[tuple[str, int, int], list[Mark]]:
        """Each distinct (label, start, end) here, with its spans (one per annotator)."""
        found: dict[tuple[str, int, int], list[Mark]] = {}
        for marks in self.marks.values():
            for key in {mark.key for mark in marks}:
                found.setdefault(key, []).append(next(m for m in marks if m.key == key))
        return dict(sorted(found.items(), key=lambda item: (item[0][1], -item[0][2], item[0][0])))


def align(
    marks: Sequence[Mark], annotators: Sequence[str], finished: Collection[str] | None = None
) -> list[Region]:
    """Group ``marks`` into regions of overlapping spans, in text order, and classify each by the
    ``finished`` annotators (default: all of ``annotators``)."""
    regions: list[Region] = []
    for mark in sorted(marks, key=lambda m: (m.start, -m.end, m.annotator, m.label)):
        if regions and mark.start < regions[-1].end:
            region = regions[-1]
            region.end = max(region.end, mark.end)
        else:
            region = Region(mark.start, mark.end)
            regions.append(region)
        region.marks.setdefault(mark.annotator, []).append(mark)
    compared = [name for name in annotators if finished is None or name in finished]
    for region, kinds in zip(regions, classify(regions, compared), strict=True):
        region.kinds = kinds
    return regions


def classify(regions: Sequence[Region], annotators: Sequence[str]) -> list[list[str]]:
    """Kinds found in each region between ``annotators`` (those who finished the document;
    fewer than two: nothing is compared and every region has no kind). A single annotator's own
    nested or repeated spans are not a disagreement.

    Each pair of annotators is matched once over the whole document, a region standing for the
    document of its spans (matched spans overlap, so they share a region); an annotator's
    repeated span counts once.
    """
    if len(annotators) < MINIMUM:
        return [[] for _ in regions]
    spans: dict[str, list[Span]] = {name: [] for name in annotators}
    for k, region in enumerate(regions):
        for name in annotators:
            keys = {mark.key for mark in region.marks.get(name, [])}
            spans[name] += [Span(str(k), name, *key) for key in sorted(keys)]
    found: list[set[str]] = [set() for _ in regions]
    for a, b in combinations(annotators, 2):
        for item in classify_pair(spans[a], spans[b]):
            k = int(classified_span(item).document)
            other = {"missing_a": a, "missing_b": b}.get(item["kind"])
            if other is None:
                found[k].add("agree" if item["kind"] == "exact" else item["kind"])
            elif regions[k].marks.get(other):
                found[k].add("extra")
            else:
                found[k].add("missing")
    return [[kind for kind in KINDS if kind in kinds] for kinds in found]


@dataclass(frozen=True)
class PairFigures:
    """Span F1 of two annotators on one document (None: neither marked anything), and the
    counts of the agreement page's breakdown summed over labels: exact, boundary, label,
    only_a (spans only a marked), only_b."""

    a: str
    b: str
    overlap_f1: float | None
    exact_f1: float | None
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentAgreement:
    """A document's disagreement (1 - mean pairwise overlap F1) and its pairs' F1, as the
    agreement page ranks documents, so the curator it sends here sees the same figure."""

    disagreement: float
    pairs: list[PairFigures]


def document_agreement(
    marks: Sequence[Mark], finished: Collection[str], labels: Sequence[str], length: int
) -> DocumentAgreement | None:
    """Figures of `compute_agreement` on one document of ``length`` code points, over the
    annotators who ``finished`` it and the project's ``labels``; None below two annotators."""
    spans = [Span("document", m.annotator, m.label, m.start, m.end, m.id) for m in marks]
    report = compute_agreement(
        spans, {"document": length}, {"document": list(finished)}, labels, bootstrap=0
    )
    if not report["documents"]:
        return None
    pairs = [
        PairFigures(
            p["a"],
            p["b"],
            p["overlap_f1"],
            p["exact_f1"],
            {kind: sum(counts[kind] for counts in p["breakdown"].values()) for kind in PAIR_COUNTS},
        )
        for p in report["pairwise"]
    ]
    return DocumentAgreement(report["documents_by_disagreement"][0]["disagreement"], pairs)


def agreed_keys(
    regions: Sequence[Region], at_least: int, finished: Collection[str]
) -> list[tuple[tuple[str, int, int], list[Mark]]]:
    """Spans (label, start, end) that at least ``at_least`` of the ``finished`` annotators
    marked identically. ``at_least`` below `MINIMUM` raises ValueError: one annotator's span
    is not an agreement."""
    if at_least < MINIMUM:
        raise ValueError(f"at_least must be {MINIMUM} or more, not {at_least}")
    found = []
    for region in regions:
        for key, marks in region.support().items():
            counted = [mark for mark in marks if mark.annotator in finished]
            if len(counted) >= at_least:
                found.append((key, counted))
    return found


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
    def key(self) -> tuple[str, tuple[str, int, int], tuple[str, int, int]]:
        return (self.type, self.source, self.target)


def link_rows(
    links: Sequence[tuple[str, str, str, str | None, Mark, Mark]],
) -> list[LinkRow]:
    """Group annotators' links ``(relation id, annotator, type, value, source, target)`` by
    (type, source key, target key), in the text order of their sources, then targets."""
    rows: dict[tuple[str, tuple[str, int, int], tuple[str, int, int]], LinkRow] = {}
    for relation_id, annotator, type_name, value, source, target in links:
        key = (type_name, source.key, target.key)
        row = rows.setdefault(key, LinkRow(type_name, source.key, target.key, {}, {}))
        row.ids.setdefault(annotator, relation_id)
        row.values.setdefault(annotator, value)

    def order(row: LinkRow) -> tuple[int, int, int, int, str]:
        return (row.source[1], -row.source[2], row.target[1], -row.target[2], row.type)

    return sorted(rows.values(), key=order)


def summary(regions: Sequence[Region]) -> Mapping[str, int]:
    """Regions holding each kind (a region with an agreement and an extra span counts in both)."""
    counts = dict.fromkeys(KINDS, 0)
    for region in regions:
        for kind in region.kinds:
            counts[kind] += 1
    return counts
