"""What the importers of other tools' files share: a document assembled layer by layer, then
checked by the native parser.

Each peer format (Label Studio, doccano, brat, Prodigy, W3C) reads its own file shape and names
its own fields in its errors; what it finds goes into a :class:`DocumentDraft` as a native
document object (``parsers.parse_document``'s input), so every import, whatever its format, is
checked by one set of rules: labels, attributes and relation types of the project, offsets inside
the text, each span once per layer, ids new to the project. Pure: no Flask, no database.

Offsets put into a draft are code points into the text *as written in the file* (before line
endings are normalised), as the native format has them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.data_import.parsers import ImportedDocument, ImportRules, parse_document
from annotator.errors import ImportRejected
from annotator.offsets import utf16_to_code_points
from annotator.rules import USERNAME

GOLD = "gold"
"""The annotator name our doccano and Prodigy exports give the gold layer; read back as gold."""

Reject = Callable[[str | None, str], ImportRejected]


def rejecter(source: str, line: int | None) -> Reject:
    """``reject(field, reason)`` for one place in one file."""

    def reject(field_name: str | None, reason: str) -> ImportRejected:
        return ImportRejected(source, line, field_name, reason)

    return reject


def json_lines(lines: Iterable[bytes], source: str) -> Iterator[tuple[int, dict[str, Any], Reject]]:
    """(line number, object, its ``reject``) for each non-blank line of a JSON Lines file (a
    byte-order mark before the first line is dropped); a line that is not a JSON object is
    refused, naming the file and line."""
    for number, raw in enumerate(lines, start=1):
        reject = rejecter(source, number)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise reject(None, f"not valid JSON ({error})") from None
        if not isinstance(value, dict):
            raise reject(None, "expected a JSON object per line")
        yield number, value, reject


@dataclass
class PeerOptions:
    """What the person importing says about files that do not say it themselves."""

    annotator: str | None = None
    """Whose spans these are when the file names no annotator (brat, plain doccano or Prodigy)."""


def annotator_name(name: Any, where: str | None, reject: Reject) -> str:
    if not isinstance(name, str) or not USERNAME.match(name.strip()):
        raise reject(where, f"{name!r} is not a user name (1 to 80 letters, digits or . @ + - _)")
    return name.strip()


def whole_number(value: Any, where: str, reject: Reject) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise reject(where, f"expected a whole number, got {type(value).__name__}")
    return value


def check_range(text: str, start: int, end: int, where: str, reject: Reject) -> None:
    """Refuse a range that is not inside ``text`` (code points) or holds nothing."""
    if start < 0 or end > len(text):
        raise reject(where, f"[{start}, {end}) is outside the text ({len(text)} code points long)")
    if start >= end:
        raise reject(where, f"start {start} is not before end {end}: a span needs a character")


def from_utf16(text: str, start: int, end: int, where: str, reject: Reject) -> tuple[int, int]:
    """UTF-16 code unit offsets (JavaScript string indices) as code points, or a refusal."""
    if start < 0:
        raise reject(where, f"offset {start} is outside the text (it starts at 0)")
    try:
        return utf16_to_code_points(text, start), utf16_to_code_points(text, end)
    except ValueError as error:
        raise reject(where, f"{error} (offsets counted in UTF-16 code units)") from None


def check_label(label: Any, where: str, rules: ImportRules, reject: Reject) -> str:
    if not isinstance(label, str):
        raise reject(where, f"expected a label name, got {type(label).__name__}")
    if label not in rules.labels:
        raise reject(where, f"unknown label {label!r} for this project")
    return label


def check_relation_type(name: Any, where: str, rules: ImportRules, reject: Reject) -> str:
    if not isinstance(name, str) or name not in rules.relation_types:
        known = ", ".join(rules.relation_types) or "none"
        raise reject(where, f"unknown relation type {name!r} for this project (known: {known})")
    return name


@dataclass
class DocumentDraft:
    """One document gathered from one or more places of a peer file, as a native object."""

    external_id: str
    text: str
    source: str
    line: int | None
    title: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    gold: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    gold_relations: list[dict[str, Any]] = field(default_factory=list)
    annotators: dict[str, str] = field(default_factory=dict)  # name -> status
    sources: list[Any] = field(default_factory=list)  # the lines' "sources", each entry once

    def add_span(
        self,
        annotator: str | None,
        key: str,
        label: str,
        start: int,
        end: int,
        *,
        text: str | None = None,
        note: str = "",
        attributes: dict[str, Any] | None = None,
        source: Any = None,
    ) -> None:
        """A span of ``annotator`` (None: gold), known in the file as ``key`` (unique per layer
        of this document: links name their ends by it); ``source`` the name of the source it
        names, one of the document's ``sources`` (checked with the document, as a native
        line's)."""
        span: dict[str, Any] = {"id": key, "label": label, "start": start, "end": end}
        if text is not None:
            span["text"] = text
        if note:
            span["note"] = note
        if attributes:
            span["attributes"] = attributes
        if source is not None:
            span["source"] = source
        if annotator is None:
            self.gold.append(span)
        else:
            span["annotator"] = annotator
            self.annotations.append(span)
            self.annotators.setdefault(annotator, "done")

    def add_sources(self, entries: Any, where: str, reject: Reject) -> None:
        """A line's ``sources`` (the registry entries its spans name, as a native line lists
        them): the document's lines list them alike, so each entry is kept once; two different
        entries of one name are refused with the document."""
        if entries is None:
            return
        if not isinstance(entries, list):
            raise reject(where, "expected a list of sources")
        for entry in entries:
            if entry not in self.sources:
                self.sources.append(entry)

    def add_relation(
        self, annotator: str | None, type_name: str, source: str, target: str, value: Any = None
    ) -> None:
        relation: dict[str, Any] = {"type": type_name, "source": source, "target": target}
        if value is not None:
            relation["value"] = value
        if annotator is None:
            self.gold_relations.append(relation)
        else:
            relation["annotator"] = annotator
            self.relations.append(relation)

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.external_id, "text": self.text, "meta": self.meta}
        if self.title is not None:
            out["title"] = self.title
        if self.url is not None:
            out["url"] = self.url
        out |= {
            "annotations": self.annotations,
            "gold": self.gold,
            "relations": self.relations,
            "gold_relations": self.gold_relations,
            "annotators": [
                {"annotator": name, "status": status} for name, status in self.annotators.items()
            ],
        }
        if self.sources:
            out["sources"] = self.sources
        return out

    def parsed(self, rules: ImportRules) -> ImportedDocument:
        """The checked document; :class:`ImportRejected` names this draft's file and line."""
        return parse_document(self.value(), self.source, self.line, rules, self.external_id)


def text_of(value: Any, where: str, reject: Reject) -> str:
    if not isinstance(value, str):
        raise reject(where, f"expected the document text as a string, got {type(value).__name__}")
    if not value:
        raise reject(where, "empty; every document needs its text")
    return value


def same_text(draft: DocumentDraft, text: str, where: str, reject: Reject) -> None:
    """Several lines of one document (one per annotator) must carry the same text."""
    if draft.text != text:
        raise reject(
            where,
            f"document {draft.external_id!r} has another text here than at "
            f"{draft.source}, line {draft.line}",
        )
