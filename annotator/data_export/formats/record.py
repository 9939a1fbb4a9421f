"""The record every export format starts from, and what the formats share: ordering, the
relations of each layer, checked span text, filtering, and writing one JSONL line.

Offsets are Unicode code points, half-open ``[start, end)``, into the document text, so
``text[start:end]`` in Python is the span. Every span that carries a ``text`` carries exactly that
slice: it is re-derived from the document (`span_text`), never copied from the record.

The record (see ``docs/formats.md``)::

    {"id", "title", "url", "meta", "text",
     "annotators": [{"annotator", "status", "updated_at",
                     "active_seconds"?, "first_active_at"?, "last_active_at"?}],
     "annotations": [{"id", "annotator", "label", "start", "end", "text", "note",
                      "attributes"?, "source"?, "created_at", "updated_at", "origin",
                      "recommender"?}],
     "relations"?: [{"id", "annotator", "type", "source", "target", "value",
                     "created_at", "updated_at"}],
     "answers"?: [{"annotator", "question", "value", "created_at", "updated_at"}],
     "gold": [{"id", "label", "start", "end", "text", "note", "attributes"?, "source"?,
               "curator", "created_at", "updated_at"}],
     "gold_relations"?: [{"id", "type", "source", "target", "value", "curator",
                          "created_at", "updated_at"}],
     "gold_answers"?: [{"question", "value", "curator", "created_at", "updated_at"}],
     "sources"?: [{"name", "kind", "url", "wikidata"}]}

A relation's ``source`` and ``target`` are ids of spans of the same record and layer
(``annotations`` of its annotator, or ``gold``). A span's ``source`` is something else: the name
of the registry source it names (an attribution's "who said it"), one of ``sources``. Pure: no
Flask, no database.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

GOLD = "gold"
"""The annotator name that doccano and Prodigy lines use for the gold spans."""

Record = dict[str, Any]
"""A native document record (above), as the database layer builds it: free-form JSON."""

Line = dict[str, Any]
"""One JSON object a format writes (a JSONL line, or a part of one): free-form JSON, whatever
``orjson`` serialises, its shape given by each format's docstring."""


def sorted_json(value: Any) -> Any:
    """Free-form JSON with object keys sorted at every depth, so equal meta gives equal bytes."""
    if isinstance(value, Mapping):
        return {key: sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [sorted_json(item) for item in value]
    return value


def span_text(text: str, span: Mapping[str, Any]) -> str:
    start, end = span["start"], span["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        # The database refuses such spans, so reaching this is a bug, not a user error.
        raise ValueError(
            f"span {span.get('id')!r} [{start}, {end}) does not fit a text of "
            f"{len(text)} code points"
        )
    return text[start:end]


def _relations(
    spans: Iterable[Mapping[str, Any]], relations: Iterable[Mapping[str, Any]], gold: bool
) -> list[Mapping[str, Any]]:
    """``relations`` sorted by (annotator, source span, target span, type, id), each checked to
    join two spans of ``spans`` of its own layer; ValueError otherwise (a bug, as for offsets)."""
    by_id = {span["id"]: span for span in spans}

    def end(relation: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        span = by_id.get(relation[key])
        if span is None or (not gold and span["annotator"] != relation["annotator"]):
            raise ValueError(
                f"relation {relation.get('id')!r}: its {key} {relation[key]!r} is not a span "
                "of the record's same layer"
            )
        return span

    def order(relation: Mapping[str, Any]) -> tuple[str, int, int, int, int, str, str]:
        source, target = end(relation, "source"), end(relation, "target")
        return (
            "" if gold else relation["annotator"],
            source["start"],
            source["end"],
            target["start"],
            target["end"],
            relation["type"],
            relation["id"],
        )

    return sorted(relations, key=order)


def annotation_relations_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _relations(record.get("annotations", []), record.get("relations", []), gold=False)


def gold_relations_of(record: Mapping[str, Any], include_gold: bool) -> list[Mapping[str, Any]]:
    if not include_gold:
        return []
    return _relations(record.get("gold", []), record.get("gold_relations", []), gold=True)


def annotation_order(span: Mapping[str, Any]) -> tuple[str, int, int, str, str]:
    return (span["annotator"], span["start"], span["end"], span["label"], span["id"])


def _gold_order(span: Mapping[str, Any]) -> tuple[int, int, str, str]:
    return (span["start"], span["end"], span["label"], span["id"])


def _annotator_names(record: Mapping[str, Any]) -> list[str]:
    """Everyone assigned to the document, and anyone with a span on it, sorted by name."""
    names = {entry["annotator"] for entry in record.get("annotators", [])}
    names.update(span["annotator"] for span in record.get("annotations", []))
    return sorted(names)


#: Question kinds whose answers are choices (doccano ``cats``, Prodigy ``options``/``accept``).
CHOICE_KINDS = ("single", "multiple")


def answers_of(record: Mapping[str, Any], annotator: str) -> list[Mapping[str, Any]]:
    """One annotator's answers to the document questions, in the record's order."""
    return [item for item in record.get("answers", []) if item["annotator"] == annotator]


def gold_answers_of(record: Mapping[str, Any], include_gold: bool) -> list[Mapping[str, Any]]:
    """The gold answers to the document questions (in the questions' order), or none."""
    return list(record.get("gold_answers", [])) if include_gold else []


def named_sources(
    record: Mapping[str, Any], spans: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The record's sources that ``spans`` name, sorted by name, each ``{name, kind, url,
    wikidata}`` (the spans a format writes: filters and ``include_gold`` may drop some)."""
    named = {span["source"] for span in spans if span.get("source")}
    return [
        {key: entry.get(key) for key in ("name", "kind", "url", "wikidata")}
        for entry in sorted(record.get("sources", []), key=lambda entry: entry["name"])
        if entry["name"] in named
    ]


def annotator_names(record: Mapping[str, Any]) -> list[str]:
    return _annotator_names(record)


def spans_by_annotator(record: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {name: [] for name in _annotator_names(record)}
    for span in sorted(record.get("annotations", []), key=annotation_order):
        grouped[span["annotator"]].append(span)
    return grouped


def gold_spans(record: Mapping[str, Any], include_gold: bool) -> list[Mapping[str, Any]]:
    return sorted(record.get("gold", []), key=_gold_order) if include_gold else []


# --- filtering ---------------------------------------------------------------------------------


def filter_record(
    record: Record,
    annotators: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    gold_only: bool = False,
) -> Record:
    """A deep copy restricted to some annotators and labels; the input is left untouched.

    ``None`` means no restriction; an empty collection keeps nothing. Annotators filter the
    annotator list and their spans; labels filter annotations and gold (the annotator list
    stays, so an annotator who used none of those labels still shows as having annotated).
    ``gold_only`` drops all annotations and annotators. Relations go with their spans: one whose
    source or target is filtered out is dropped too (and a list left empty, like a native line's).
    """
    result = copy.deepcopy(record)
    keep_annotators = None if annotators is None else set(annotators)
    keep_labels = None if labels is None else set(labels)

    def by_annotator(item: Mapping[str, Any]) -> bool:
        return keep_annotators is None or item["annotator"] in keep_annotators

    def by_label(span: Mapping[str, Any]) -> bool:
        return keep_labels is None or span["label"] in keep_labels

    if gold_only:
        result["annotators"] = []
        result["annotations"] = []
        if "answers" in result:
            result["answers"] = []
    else:
        if "answers" in result:
            result["answers"] = [item for item in result["answers"] if by_annotator(item)]
        result["annotators"] = [e for e in result.get("annotators", []) if by_annotator(e)]
        result["annotations"] = [
            span for span in result.get("annotations", []) if by_annotator(span) and by_label(span)
        ]
    result["gold"] = [span for span in result.get("gold", []) if by_label(span)]
    for spans, relations in (("annotations", "relations"), ("gold", "gold_relations")):
        if relations in result:
            kept = {span["id"] for span in result[spans]}
            result[relations] = [
                item
                for item in result[relations]
                if item["source"] in kept and item["target"] in kept
            ]
            if not result[relations]:
                del result[relations]  # as native lines leave out an empty list
    return result


# --- output ------------------------------------------------------------------------------------

# JSON allows these raw inside strings, but Python's str.splitlines() and some JSONL readers
# break lines at them; escaped, each record stays on exactly one line for every reader.
_LINE_BREAKS_IN_UTF8 = (
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
    ("\x85".encode(), b"\\u0085"),
)


def dumps_line(obj: Any) -> bytes:
    """One JSONL line: compact JSON, UTF-8 (non-ASCII kept, not escaped), ending in ``b"\\n"``."""
    data = orjson.dumps(obj)
    for raw, escaped in _LINE_BREAKS_IN_UTF8:
        data = data.replace(raw, escaped)
    return data + b"\n"
