"""The native format: the record itself, one line per document, re-importable; its schema is
``docs/native.schema.json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotator.data_export.formats.record import (
    Line,
    Record,
    annotation_order,
    annotation_relations_of,
    gold_answers_of,
    gold_relations_of,
    gold_spans,
    named_sources,
    sorted_json,
    span_text,
)


def native_lines(record: Record, *, include_gold: bool = True) -> list[Line]:
    """The record itself as one line, in a stable key order; ``docs/native.schema.json``.

    Re-importable. Annotations are sorted by (annotator, start, end, label), gold by
    (start, end, label), relations by (annotator, source, target, type), annotators by name, and
    ``meta`` and attribute keys alphabetically, so the same record always gives the same bytes.
    ``relations``, ``gold_relations`` and a span's ``attributes`` are left out when empty, and so
    are an annotator's ``active_seconds``/``first_active_at``/``last_active_at`` (active time
    measured in the workspace; absent when none was) and ``answers`` (answers to document
    questions, in the order the record gives: by annotator, then question order),
    ``gold_answers`` (the curators' adjudicated answers, in question order). A span naming a
    source of the project's registry has its name in ``source``; ``sources`` (last, left out
    when none) lists those sources, sorted by name, so each line is whole by itself (the name is
    unique in a project; a database id would not survive an import elsewhere).
    """
    text = record["text"]
    annotators = sorted(record.get("annotators", []), key=lambda entry: entry["annotator"])
    relations = [_relation(item, gold=False) for item in annotation_relations_of(record)]
    gold_relations = [
        _relation(item, gold=True) for item in gold_relations_of(record, include_gold)
    ]
    line = {
        "id": record["id"],
        "title": record.get("title"),
        "url": record.get("url"),
        "meta": sorted_json(record.get("meta") or {}),
        "text": text,
        "annotators": [
            {
                key: entry[key]
                for key in (
                    "annotator",
                    "status",
                    "updated_at",
                    "active_seconds",
                    "first_active_at",
                    "last_active_at",
                )
                if key in entry
            }
            for entry in annotators
        ],
        "annotations": [
            _annotation(text, span)
            for span in sorted(record.get("annotations", []), key=annotation_order)
        ],
    }
    if relations:
        line["relations"] = relations
    answers = [
        {key: item[key] for key in ("annotator", "question", "value", "created_at", "updated_at")}
        for item in record.get("answers", [])
    ]
    if answers:
        line["answers"] = answers
    line["gold"] = [_gold(text, span) for span in gold_spans(record, include_gold)]
    if gold_relations:
        line["gold_relations"] = gold_relations
    gold_answers = [
        {key: item[key] for key in ("question", "value", "curator", "created_at", "updated_at")}
        for item in gold_answers_of(record, include_gold)
    ]
    if gold_answers:
        line["gold_answers"] = gold_answers
    sources = named_sources(record, [*line["annotations"], *line["gold"]])
    if sources:
        line["sources"] = sources
    return [line]


def _with_attributes(entry: Line, span: Mapping[str, Any], before: str) -> Line:
    """``entry`` with the span's attribute values (keys sorted) and the name of the source it
    names inserted before key ``before``, each when it has one."""
    extra: Line = {}
    if span.get("attributes"):
        extra["attributes"] = sorted_json(span["attributes"])
    if span.get("source"):
        extra["source"] = span["source"]
    if not extra:
        return entry
    out: Line = {}
    for key, value in entry.items():
        if key == before:
            out |= extra
        out[key] = value
    return out


def _annotation(text: str, span: Mapping[str, Any]) -> dict[str, Any]:
    entry = {
        "id": span["id"],
        "annotator": span["annotator"],
        "label": span["label"],
        "start": span["start"],
        "end": span["end"],
        "text": span_text(text, span),
        "note": span.get("note") or "",
        "created_at": span["created_at"],
        "updated_at": span["updated_at"],
        # "suggestion": accepted from a recommender (named), "manual": marked by the annotator
        "origin": span.get("origin") or "manual",
    }
    if entry["origin"] == "suggestion" and span.get("recommender"):
        entry["recommender"] = span["recommender"]
    return _with_attributes(entry, span, "created_at")


def _gold(text: str, span: Mapping[str, Any]) -> dict[str, Any]:
    entry = {
        "id": span["id"],
        "label": span["label"],
        "start": span["start"],
        "end": span["end"],
        "text": span_text(text, span),
        "note": span.get("note") or "",
        "curator": span["curator"],
        "created_at": span["created_at"],
        "updated_at": span["updated_at"],
    }
    return _with_attributes(entry, span, "curator")


def _relation(relation: Mapping[str, Any], gold: bool) -> dict[str, Any]:
    entry = {"id": relation["id"]}
    if not gold:
        entry["annotator"] = relation["annotator"]
    entry |= {
        "type": relation["type"],
        "source": relation["source"],
        "target": relation["target"],
        "value": relation.get("value"),
    }
    if gold:
        entry["curator"] = relation.get("curator")
    entry |= {"created_at": relation["created_at"], "updated_at": relation["updated_at"]}
    return entry
