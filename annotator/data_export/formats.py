"""Export formats: turn one native document record into JSON-serialisable lines.

Pure functions, no Flask and no database: the database layer builds the record, the CLI and the web
download pick a function from ``FORMATS`` and write each returned dict with ``dumps_line``.

Offsets are Unicode code points, half-open ``[start, end)``, into the document text, so
``text[start:end]`` in Python is the span. Every span that carries a ``text`` carries exactly that
slice: it is re-derived from the document here, never copied from the record.

One format differs: doccano counts in UTF-16 code units (JavaScript string indices), so
``doccano_lines`` converts by default; see its docstring.

Relations between spans and span attribute values are written only where there are some: a
project that uses neither exports exactly what it did before they existed.

The record (see ``docs/formats.md``)::

    {"id", "title", "url", "meta", "text",
     "annotators": [{"annotator", "status", "updated_at"}],
     "annotations": [{"id", "annotator", "label", "start", "end", "text", "note",
                      "attributes"?, "created_at", "updated_at"}],
     "relations"?: [{"id", "annotator", "type", "source", "target", "value",
                     "created_at", "updated_at"}],
     "answers"?: [{"annotator", "question", "value", "created_at", "updated_at"}],
     "gold": [{"id", "label", "start", "end", "text", "note", "attributes"?, "curator",
               "created_at", "updated_at"}],
     "gold_relations"?: [{"id", "type", "source", "target", "value", "curator",
                          "created_at", "updated_at"}]}

A relation's ``source`` and ``target`` are ids of spans of the same record and layer
(``annotations`` of its annotator, or ``gold``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from annotator.offsets import utf16_offsets

GOLD = "gold"
"""The annotator name that doccano and Prodigy lines use for the gold spans."""

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
QUOTE_CONTEXT = 32
"""Code points of prefix and suffix in a W3C TextQuoteSelector (the spec sets no length)."""

Record = dict[str, Any]


# --- the record --------------------------------------------------------------------------------


def _sorted_json(value: Any) -> Any:
    """Free-form JSON with object keys sorted at every depth, so equal meta gives equal bytes."""
    if isinstance(value, Mapping):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted_json(item) for item in value]
    return value


def _span_text(text: str, span: Mapping[str, Any]) -> str:
    start, end = span["start"], span["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        # The database refuses such spans, so reaching this is a bug, not a user error.
        raise ValueError(
            f"span {span.get('id')!r} [{start}, {end}) does not fit a text of "
            f"{len(text)} code points"
        )
    return text[start:end]


def _with_attributes(entry: dict[str, Any], span: Mapping[str, Any], before: str) -> dict:
    """``entry`` with the span's attribute values (keys sorted) inserted before key ``before``,
    when it has any."""
    attributes = span.get("attributes")
    if not attributes:
        return entry
    out = {}
    for key, value in entry.items():
        if key == before:
            out["attributes"] = _sorted_json(attributes)
        out[key] = value
    return out


def _annotation(text: str, span: Mapping[str, Any]) -> dict[str, Any]:
    entry = {
        "id": span["id"],
        "annotator": span["annotator"],
        "label": span["label"],
        "start": span["start"],
        "end": span["end"],
        "text": _span_text(text, span),
        "note": span.get("note") or "",
        "created_at": span["created_at"],
        "updated_at": span["updated_at"],
    }
    return _with_attributes(entry, span, "created_at")


def _gold(text: str, span: Mapping[str, Any]) -> dict[str, Any]:
    entry = {
        "id": span["id"],
        "label": span["label"],
        "start": span["start"],
        "end": span["end"],
        "text": _span_text(text, span),
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

    def order(relation: Mapping[str, Any]) -> tuple:
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


def _annotation_relations(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _relations(record.get("annotations", []), record.get("relations", []), gold=False)


def _gold_relations(record: Mapping[str, Any], include_gold: bool) -> list[Mapping[str, Any]]:
    if not include_gold:
        return []
    return _relations(record.get("gold", []), record.get("gold_relations", []), gold=True)


def _annotation_order(span: Mapping[str, Any]) -> tuple:
    return (span["annotator"], span["start"], span["end"], span["label"], span["id"])


def _gold_order(span: Mapping[str, Any]) -> tuple:
    return (span["start"], span["end"], span["label"], span["id"])


def _annotator_names(record: Mapping[str, Any]) -> list[str]:
    """Everyone assigned to the document, and anyone with a span on it, sorted by name."""
    names = {entry["annotator"] for entry in record.get("annotators", [])}
    names.update(span["annotator"] for span in record.get("annotations", []))
    return sorted(names)


def _spans_by_annotator(record: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {name: [] for name in _annotator_names(record)}
    for span in sorted(record.get("annotations", []), key=_annotation_order):
        grouped[span["annotator"]].append(span)
    return grouped


def _gold_spans(record: Mapping[str, Any], include_gold: bool) -> list[Mapping[str, Any]]:
    return sorted(record.get("gold", []), key=_gold_order) if include_gold else []


# --- answers to document questions in the other formats ----------------------------------------

CHOICE_KINDS = ("single", "multiple")


def _answers_of(record: Mapping[str, Any], annotator: str) -> list[Mapping[str, Any]]:
    return [item for item in record.get("answers", []) if item["annotator"] == annotator]


def _doccano_answers(answers: Sequence[Mapping[str, Any]]) -> dict:
    """``cats`` (choice questions: question -> choice or choices) and ``answers`` (every answer:
    question -> value), each left out when empty."""
    out: dict[str, Any] = {}
    cats = {a["question"]: a["value"] for a in answers if a.get("kind") in CHOICE_KINDS}
    if cats:
        out["cats"] = cats
    if answers:
        out["answers"] = {a["question"]: a["value"] for a in answers}
    return out


def _prodigy_answers(answers: Sequence[Mapping[str, Any]]) -> dict:
    """Prodigy's choice interface: ``options`` ``{"id": "question:choice", "text"}`` for every
    choice of the answered choice questions, ``accept`` the ids chosen; and ``answers`` (every
    answer: question -> value). Each left out when empty."""
    out: dict[str, Any] = {}
    options, accept = [], []
    for item in answers:
        if item.get("kind") not in CHOICE_KINDS:
            continue
        value = item["value"]
        chosen = [value] if isinstance(value, str) else list(value)
        for choice in item.get("choices") or chosen:
            options.append({"id": f"{item['question']}:{choice}", "text": choice})
        accept += [f"{item['question']}:{choice}" for choice in chosen]
    if options:
        out["options"], out["accept"] = options, accept
    if answers:
        out["answers"] = {a["question"]: a["value"] for a in answers}
    return out


def _body_value(value: Any) -> str:
    """A value in a W3C ``classifying`` body after ``name: ``: a string as it is, anything else
    (a number, yes/no, several choices) as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# --- native ------------------------------------------------------------------------------------


def native_lines(record: Record, *, include_gold: bool = True) -> list[dict]:
    """The record itself as one line, in a stable key order; ``docs/native.schema.json``.

    Re-importable. Annotations are sorted by (annotator, start, end, label), gold by
    (start, end, label), relations by (annotator, source, target, type), annotators by name, and
    ``meta`` and attribute keys alphabetically, so the same record always gives the same bytes.
    ``relations``, ``gold_relations`` and a span's ``attributes`` are left out when empty, and so
    are ``answers`` (answers to document questions, in the order the record gives: by annotator,
    then question order).
    """
    text = record["text"]
    annotators = sorted(record.get("annotators", []), key=lambda entry: entry["annotator"])
    relations = [_relation(item, gold=False) for item in _annotation_relations(record)]
    gold_relations = [_relation(item, gold=True) for item in _gold_relations(record, include_gold)]
    line = {
        "id": record["id"],
        "title": record.get("title"),
        "url": record.get("url"),
        "meta": _sorted_json(record.get("meta") or {}),
        "text": text,
        "annotators": [
            {
                "annotator": entry["annotator"],
                "status": entry["status"],
                "updated_at": entry["updated_at"],
            }
            for entry in annotators
        ],
        "annotations": [
            _annotation(text, span)
            for span in sorted(record.get("annotations", []), key=_annotation_order)
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
    line["gold"] = [_gold(text, span) for span in _gold_spans(record, include_gold)]
    if gold_relations:
        line["gold_relations"] = gold_relations
    return [line]


# --- doccano -----------------------------------------------------------------------------------


DOCCANO_OFFSETS = ("utf16", "codepoint")


def doccano_lines(
    record: Record, *, include_gold: bool = True, offsets: str = "utf16"
) -> list[dict]:
    """doccano sequence-labelling JSONL: one line per annotator, and one for gold if any.

    ``{"text", "label": [[start, end, label], ...], "id", "annotator", "meta"}`` — doccano's
    JSONL import reads the ``text`` and ``label`` columns and keeps the other keys as the
    example's metadata. Gold appears as annotator ``"gold"``.

    ``offsets="utf16"`` (default) counts UTF-16 code units, what doccano's browser annotator
    uses (doccano issue #2290), so spans after an emoji land where they should inside doccano.
    ``offsets="codepoint"`` keeps our offsets, for Python readers (``text[start:end]``). Both
    agree on text without characters above U+FFFF. doccano's optional grapheme mode is not
    supported.

    When the document has relations or span attributes, every line also carries doccano's
    relation format ("JSONL(Relation)"): ``"entities": [{"id", "start_offset", "end_offset",
    "label", "attributes"?}]`` (the same spans as ``label``, in the same order and unit, with
    ids 0, 1, … within the line) and ``"relations": [{"id", "from_id", "to_id", "type",
    "value"?}]`` (ids of those entities). doccano reads them in a project with relation labeling
    and ignores ``attributes`` and ``value``; its sequence-labelling import keeps them as meta.
    """
    if offsets not in DOCCANO_OFFSETS:
        raise ValueError(f"offsets must be one of {DOCCANO_OFFSETS}, not {offsets!r}")
    text = record["text"]
    convert = utf16_offsets(text) if offsets == "utf16" else (lambda offset: offset)
    relations = _annotation_relations(record)
    gold_relations = _gold_relations(record, include_gold)
    gold = _gold_spans(record, include_gold)
    linked = bool(relations or gold_relations) or any(
        span.get("attributes") for span in [*record.get("annotations", []), *gold]
    )

    def line(
        annotator: str, spans: Iterable[Mapping[str, Any]], links: Iterable[Mapping[str, Any]]
    ) -> dict:
        labels, entities, index = [], [], {}
        for span in spans:
            _span_text(text, span)  # validates the offsets
            start, end = convert(span["start"]), convert(span["end"])
            labels.append([start, end, span["label"]])
            entity = {
                "id": len(entities),
                "start_offset": start,
                "end_offset": end,
                "label": span["label"],
            }
            if span.get("attributes"):
                entity["attributes"] = _sorted_json(span["attributes"])
            index[span["id"]] = entity["id"]
            entities.append(entity)
        out = {
            "text": text,
            "label": labels,
            "id": record["id"],
            "annotator": annotator,
            "meta": _sorted_json(record.get("meta") or {}),
        }
        out.update(_doccano_answers(_answers_of(record, annotator)))
        if linked:
            out["entities"] = entities
            out["relations"] = []
            for link in links:
                relation = {
                    "id": len(out["relations"]),
                    "from_id": index[link["source"]],
                    "to_id": index[link["target"]],
                    "type": link["type"],
                }
                if link.get("value") is not None:
                    relation["value"] = link["value"]
                out["relations"].append(relation)
        return out

    lines = [
        line(name, spans, [link for link in relations if link["annotator"] == name])
        for name, spans in _spans_by_annotator(record).items()
    ]
    if gold:
        lines.append(line(GOLD, gold, gold_relations))
    return lines


# --- Prodigy -----------------------------------------------------------------------------------


def prodigy_lines(record: Record, *, include_gold: bool = True) -> list[dict]:
    """Prodigy / spaCy task JSONL: one line per annotator, and one for gold if any.

    ``{"text", "spans": [{"start", "end", "label", "text"}], "meta": {..., "id", "annotator"},
    "answer": "accept"}``. Offsets are code points, as in Python's ``str`` and spaCy's
    ``Doc.char_span``. Left out on purpose: ``tokens`` and ``token_start``/``token_end`` (they
    depend on a tokenizer, and Prodigy adds them), ``_input_hash``/``_task_hash`` (Prodigy
    computes them on load; a hash of ours would not match its own). Spans may overlap, so
    use them with ``spans.manual`` / spaCy ``doc.spans`` rather than ``ner``.

    A span's attribute values, when it has any, are in its ``attributes``. A line whose spans
    are linked has ``"relations": [{"head_span", "child_span", "label", "value"?}]`` like
    Prodigy's ``rel.manual`` tasks (head = our source, child = our target), each end as
    ``{"start", "end", "label"}``; the token indices ``head`` and ``child`` are left out, as are
    tokens.
    """
    text = record["text"]
    base_meta = _sorted_json(record.get("meta") or {})
    relations = _annotation_relations(record)

    def task_span(span: Mapping[str, Any]) -> dict:
        entry = {
            "start": span["start"],
            "end": span["end"],
            "label": span["label"],
            "text": _span_text(text, span),
        }
        if span.get("attributes"):
            entry["attributes"] = _sorted_json(span["attributes"])
        return entry

    def line(
        annotator: str, spans: list[Mapping[str, Any]], links: list[Mapping[str, Any]]
    ) -> dict:
        task = {
            "text": text,
            "spans": [task_span(span) for span in spans],
            # Ours win over same-named keys in the document's meta.
            "meta": {**base_meta, "id": record["id"], "annotator": annotator},
            "answer": "accept",
        }
        task.update(_prodigy_answers(_answers_of(record, annotator)))
        if links:
            by_id = {span["id"]: span for span in spans}
            task["relations"] = []
            for link in links:
                relation = {
                    "head_span": _relation_end(by_id[link["source"]]),
                    "child_span": _relation_end(by_id[link["target"]]),
                    "label": link["type"],
                }
                if link.get("value") is not None:
                    relation["value"] = link["value"]
                task["relations"].append(relation)
        return task

    lines = [
        line(name, spans, [link for link in relations if link["annotator"] == name])
        for name, spans in _spans_by_annotator(record).items()
    ]
    gold = _gold_spans(record, include_gold)
    if gold:
        lines.append(line(GOLD, gold, _gold_relations(record, include_gold)))
    return lines


def _relation_end(span: Mapping[str, Any]) -> dict:
    return {"start": span["start"], "end": span["end"], "label": span["label"]}


# --- W3C Web Annotation ------------------------------------------------------------------------


def _iri_segment(value: str) -> str:
    return quote(str(value), safe="")


def w3c_lines(record: Record, base_uri: str, *, include_gold: bool = True) -> list[dict]:
    """W3C Web Annotation Data Model (JSON-LD): one annotation per span, gold included.

    Offsets go in unchanged. The Recommendation (section 4.2.4, which 4.2.5 Text Position
    Selector refers to) says: "The selection of the text MUST be in terms of unicode code
    points (the "character number"), not in terms of code units (that number expressed using
    a selected data type)." — exactly our unit.

    Both selectors are given; the model treats several selectors as alternatives for the same
    segment. Prefix and suffix are up to 32 code points. The creator of an annotator's span is
    a ``Person``; the creator of a gold span is ``{"type": "Software", "nickname": "gold"}``
    with the curator in its ``name``, so a consumer tells gold apart by ``creator.type``.
    Names and ids are percent-encoded inside IRIs.

    Each attribute value of a span is one more body, ``{"type": "TextualBody", "purpose":
    "classifying", "value": "name: value"}`` (names never hold a colon). Each relation is an
    annotation of its own after the spans' ones, with ``"motivation": "linking"``, the relation
    type as a ``tagging`` body (and its value, if any, as a ``describing`` body), and as target
    the two span annotations in order, source first: ``{"type": "List", "items": [source IRI,
    target IRI]}`` (the model's ordered multiplicity construct).
    """
    base = base_uri.rstrip("/")
    text = record["text"]
    source = f"{base}/documents/{_iri_segment(record['id'])}"

    def annotation(span: Mapping[str, Any], creator: dict) -> dict:
        exact = _span_text(text, span)
        start, end = span["start"], span["end"]
        body = [{"type": "TextualBody", "purpose": "tagging", "value": span["label"]}]
        if span.get("note"):
            body.append({"type": "TextualBody", "purpose": "commenting", "value": span["note"]})
        for name, value in sorted((span.get("attributes") or {}).items()):
            body.append(
                {
                    "type": "TextualBody",
                    "purpose": "classifying",
                    "value": f"{name}: {_body_value(value)}",
                }
            )
        return {
            "@context": W3C_CONTEXT,
            "id": f"{base}/annotations/{_iri_segment(span['id'])}",
            "type": "Annotation",
            "creator": creator,
            "created": span["created_at"],
            "modified": span["updated_at"],
            "body": body,
            "target": {
                "source": source,
                "selector": [
                    {"type": "TextPositionSelector", "start": start, "end": end},
                    {
                        "type": "TextQuoteSelector",
                        "exact": exact,
                        "prefix": text[max(0, start - QUOTE_CONTEXT) : start],
                        "suffix": text[end : end + QUOTE_CONTEXT],
                    },
                ],
            },
        }

    def person(name: str) -> dict:
        return {"id": f"{base}/annotators/{_iri_segment(name)}", "type": "Person", "nickname": name}

    def software(curator: str | None) -> dict:
        return {
            "id": f"{base}/{GOLD}",
            "type": "Software",
            "nickname": GOLD,
            "name": f"gold standard, curated by {curator}",
        }

    def link(relation: Mapping[str, Any], creator: dict) -> dict:
        body = [{"type": "TextualBody", "purpose": "tagging", "value": relation["type"]}]
        if relation.get("value") is not None:
            body.append(
                {"type": "TextualBody", "purpose": "describing", "value": relation["value"]}
            )
        ends = [f"{base}/annotations/{_iri_segment(relation[key])}" for key in ("source", "target")]
        return {
            "@context": W3C_CONTEXT,
            "id": f"{base}/annotations/{_iri_segment(relation['id'])}",
            "type": "Annotation",
            "motivation": "linking",
            "creator": creator,
            "created": relation["created_at"],
            "modified": relation["updated_at"],
            "body": body,
            "target": {"type": "List", "items": ends},
        }

    lines = [
        annotation(span, person(span["annotator"]))
        for span in sorted(record.get("annotations", []), key=_annotation_order)
    ]
    lines += [
        annotation(span, software(span["curator"])) for span in _gold_spans(record, include_gold)
    ]
    lines += [link(item, person(item["annotator"])) for item in _annotation_relations(record)]
    for name in _annotator_names(record):
        answers = _answers_of(record, name)
        if answers:
            lines.append(
                {
                    "@context": W3C_CONTEXT,
                    "id": f"{base}/answers/{_iri_segment(record['id'])}/{_iri_segment(name)}",
                    "type": "Annotation",
                    "motivation": "classifying",
                    "creator": person(name),
                    "created": min(item["created_at"] for item in answers),
                    "modified": max(item["updated_at"] for item in answers),
                    "body": [
                        {
                            "type": "TextualBody",
                            "purpose": "classifying",
                            "value": f"{item['question']}: {_body_value(item['value'])}",
                        }
                        for item in answers
                    ],
                    "target": source,
                }
            )
    lines += [
        link(item, software(item.get("curator"))) for item in _gold_relations(record, include_gold)
    ]
    return lines


FORMATS: dict[str, Callable[..., list[dict]]] = {
    "native": native_lines,
    "doccano": doccano_lines,
    "prodigy": prodigy_lines,
    "w3c": w3c_lines,
}
"""Format name -> ``function(record, **options)``. Every function takes ``include_gold``;
``w3c`` also needs ``base_uri``; ``doccano`` also takes ``offsets``."""


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


# --- dataset card ------------------------------------------------------------------------------


def _offsets_note(stats: Mapping[str, Any]) -> str:
    if stats.get("format") == "doccano" and stats.get("offsets", "utf16") == "utf16":
        return "UTF-16 code units (as doccano counts), half-open `[start, end)`"
    return "Unicode code points, half-open `[start, end)`: `text[start:end]` in Python"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if value is None:
        return "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _filter_value(value: Any) -> str:
    if value is None:
        return "all"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(_cell(item) for item in value)) or "none"
    return _cell(value)


MATCHING_NOTE = (
    "Span F1 pairs each span with at most one span of the other annotator. Exact F1 pairs "
    "identical spans (same label and offsets). Overlap F1 pairs spans of the same label that "
    "share a character, by a maximum matching: as many pairs as the overlaps allow, then the "
    "largest total overlap. So the figure does not depend on the order spans are compared in."
)
"""What the card says about how spans were paired (annotator's docs/agreement.md has more)."""


def _agreement_lines(agreement: Mapping[str, Any] | None) -> list[str]:
    if not agreement:
        return ["Agreement was not computed for this export."]
    scalars = [(key, value) for key, value in agreement.items() if not isinstance(value, Mapping)]
    tables = [(key, value) for key, value in agreement.items() if isinstance(value, Mapping)]
    lines = [f"- {_cell(key)}: {_cell(value)}" for key, value in scalars]
    for key, table in tables:
        lines += ["", f"{_cell(key)}:", "", "| label | value |", "| --- | ---: |"]
        lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in table.items()]
    return [*lines, "", MATCHING_NOTE]


def dataset_card(stats: Mapping[str, Any]) -> str:
    """A short Markdown dataset card for one export.

    ``stats``: ``project``, ``format``, ``exported_at``, ``documents``, ``annotators`` (names),
    ``spans_per_label`` ({label: n}, annotators' spans), ``gold_spans``, ``filters`` and
    ``agreement`` (a summary dict, or None). A doccano export may add ``offsets``; an export
    with links adds ``relations`` and ``gold_relations`` (counts), shown when not both 0.
    """
    spans = stats.get("spans_per_label") or {}
    annotators = list(stats.get("annotators") or [])
    filters = stats.get("filters") or {}
    lines = [
        f"# {_cell(stats.get('project'))}: annotated spans",
        "",
        f"- Format: {_cell(stats.get('format'))}",
        f"- Exported at: {_cell(stats.get('exported_at'))}",
        f"- Documents: {stats.get('documents', 0)}",
        f"- Annotators ({len(annotators)}): {', '.join(annotators) or 'none'}",
        f"- Annotator spans: {sum(spans.values())}",
        f"- Gold spans: {stats.get('gold_spans', 0)}",
        *(
            [f"- Links: {stats['relations']} (gold: {stats.get('gold_relations', 0)})"]
            if stats.get("relations") or stats.get("gold_relations")
            else []
        ),
        f"- Offsets: {_offsets_note(stats)}",
        "",
        "## Spans per label",
        "",
    ]
    if spans:
        lines += ["| label | spans |", "| --- | ---: |"]
        lines += [f"| {_cell(label)} | {count} |" for label, count in sorted(spans.items())]
    else:
        lines.append("No annotator spans.")
    lines += ["", "## Filters", ""]
    if filters:
        lines += [f"- {_cell(key)}: {_filter_value(value)}" for key, value in filters.items()]
    else:
        lines.append("None: every annotator and label.")
    lines += ["", "## Agreement", "", *_agreement_lines(stats.get("agreement")), ""]
    return "\n".join(lines)
