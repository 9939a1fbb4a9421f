"""Read Prodigy's JSONL (``prodigy db-out``): span tasks with ``spans``, ``relations``, ``answer``.
Pure.

A line is one annotator's answer on one text::

    {"text": "...", "_input_hash": 12, "_task_hash": 34,
     "spans": [{"start": 0, "end": 8, "label": "attribution", "token_start": 0, "token_end": 0}],
     "relations": [{"head": 3, "child": 0, "label": "attributed_to",
                    "head_span": {"start": 12, "end": 25, "token_start": 3, "token_end": 5,
                                  "label": "claim"},
                    "child_span": {"start": 0, "end": 8, "token_start": 0, "token_end": 0,
                                   "label": "attribution"}}],
     "answer": "accept", "_annotator_id": "news-alice", "_session_id": "news-alice"}

Offsets are code points (Python ``str`` indices, as in spaCy). Only ``accept`` answers are imported:
``reject`` and ``ignore`` lines are skipped, as Prodigy's own training export skips them. A span's
``text``, when given, must match the text there. A relation's ends are the spans of the same line
with the same start, end and label as ``head_span`` (source) and ``child_span`` (target).
A span's ``attributes`` and ``source`` (the name of a source the line lists in ``sources``, as
our export writes them) are read back as a native line's.

Whose spans: ``meta.annotator`` (our Prodigy export; ``"gold"`` is the gold layer), else
``_annotator_id``, else the annotator the person importing names. Lines with the same document
are one document: ``meta.id`` (our export), else ``_input_hash``; their texts must be equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from annotator.data_import.parsers import ImportedDocument, ImportRules, source_stem
from annotator.data_import.peers import (
    GOLD,
    DocumentDraft,
    PeerOptions,
    Reject,
    annotator_name,
    check_label,
    check_range,
    check_relation_type,
    json_lines,
    same_text,
    text_of,
    whole_number,
)

ANSWERS = ("accept", "reject", "ignore")


def parse_prodigy(
    lines: Iterable[bytes], source: str, rules: ImportRules, options: PeerOptions
) -> Iterator[ImportedDocument]:
    drafts: dict[str, DocumentDraft] = {}
    for number, value, reject in json_lines(lines, source):
        answer = value.get("answer", "accept")
        if answer not in ANSWERS:
            raise reject("answer", f"expected one of {', '.join(ANSWERS)}")
        if answer != "accept":
            continue
        _read_line(value, number, source, rules, options, drafts, reject)
    for draft in drafts.values():
        yield draft.parsed(rules)


def _read_line(
    value: dict[str, Any],
    number: int,
    source: str,
    rules: ImportRules,
    options: PeerOptions,
    drafts: dict[str, DocumentDraft],
    reject: Reject,
) -> None:
    text = text_of(value.get("text"), "text", reject)
    given = value.get("meta")
    meta: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
    name = meta.pop("annotator", None) or value.get("_annotator_id") or options.annotator
    if name is None:
        raise reject(
            "_annotator_id",
            "no annotator: name one (--annotator NAME, or the field on the import page)",
        )
    annotator: str | None = annotator_name(name, "_annotator_id", reject)
    if annotator == GOLD:
        annotator = None
    key = meta.pop("id", None)
    if key is None:
        key = value.get("_input_hash")
    if isinstance(key, bool) or not isinstance(key, str | int | type(None)):
        raise reject("meta.id", "expected a string or a whole number")
    external_id = f"{source_stem(source)}-{number}" if key is None else str(key)
    draft = drafts.get(external_id)
    if draft is None:
        draft = drafts[external_id] = DocumentDraft(external_id, text, source, number, meta=meta)
    else:
        same_text(draft, text, "text", reject)
    if (annotator is None and draft.gold) or annotator in draft.annotators:
        raise reject(None, f"a second accepted answer of {name} on document {external_id!r}")
    if annotator is not None:
        draft.annotators[annotator] = "done"
    spans = value.get("spans") or []
    if not isinstance(spans, list):
        raise reject("spans", "expected a list")
    keys: dict[tuple[int, int, str], str] = {}
    for index, span in enumerate(spans):
        where = f"spans[{index}]"
        if not isinstance(span, dict):
            raise reject(where, "expected an object")
        start = whole_number(span.get("start"), f"{where}.start", reject)
        end = whole_number(span.get("end"), f"{where}.end", reject)
        check_range(text, start, end, where, reject)
        label = check_label(span.get("label"), f"{where}.label", rules, reject)
        quoted = span.get("text")
        if quoted is not None and quoted != text[start:end]:
            raise reject(
                f"{where}.text",
                f"{quoted!r} does not match the text at [{start}, {end}): {text[start:end]!r}",
            )
        key = f"{number}:{index}"
        keys[(start, end, label)] = key
        draft.add_span(
            annotator,
            key,
            label,
            start,
            end,
            attributes=span.get("attributes") or None,
            source=span.get("source"),
        )
    draft.add_sources(value.get("sources"), "sources", reject)
    relations = value.get("relations") or []
    if not isinstance(relations, list):
        raise reject("relations", "expected a list")
    for index, relation in enumerate(relations):
        where = f"relations[{index}]"
        if not isinstance(relation, dict):
            raise reject(where, "expected an object")
        ends = []
        for name_of_end in ("head_span", "child_span"):
            end_span = relation.get(name_of_end)
            if not isinstance(end_span, dict):
                raise reject(f"{where}.{name_of_end}", "expected {start, end, label}")
            wanted = _span_key(end_span)
            found = None if wanted is None else keys.get(wanted)
            if found is None:
                raise reject(
                    f"{where}.{name_of_end}", "no span of this line has this range and label"
                )
            ends.append(found)
        type_name = check_relation_type(relation.get("label"), f"{where}.label", rules, reject)
        draft.add_relation(annotator, type_name, ends[0], ends[1], relation.get("value"))


def _span_key(span: dict[str, Any]) -> tuple[int, int, str] | None:
    """``(start, end, label)`` of a relation's end, or None when it is not one (any JSON)."""
    start, end, label = span.get("start"), span.get("end"), span.get("label")
    if isinstance(start, int) and isinstance(end, int) and isinstance(label, str):
        return (start, end, label)
    return None
