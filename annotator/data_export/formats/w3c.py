"""W3C Web Annotation Data Model (JSON-LD): one annotation per span and per link."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from annotator.data_export.formats.record import (
    GOLD,
    Line,
    Record,
    annotation_order,
    annotation_relations_of,
    annotator_names,
    answers_of,
    gold_answers_of,
    gold_relations_of,
    gold_spans,
    span_text,
)

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
"""Wikidata's concept URIs: ``Q42`` is ``http://www.wikidata.org/entity/Q42``."""
QUOTE_CONTEXT = 32
"""Code points of prefix and suffix in a W3C TextQuoteSelector (the spec sets no length)."""


def _iri_segment(value: str) -> str:
    return quote(str(value), safe="")


def _body_value(value: Any) -> str:
    """A value in a W3C ``classifying`` body after ``name: ``: a string as it is, anything else
    (a number, yes/no, several choices) as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def w3c_lines(record: Record, base_uri: str, *, include_gold: bool = True) -> list[Line]:
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

    An annotator's answers to the document questions are one ``classifying`` annotation of the
    document with a body ``question: value`` per answer; the gold answers are one more, whose
    creator is the gold ``Software`` (its id ends in ``/answers/<document>/gold``).
    A span naming a source of the project's registry has two more bodies with purpose
    ``identifying``: a ``SpecificResource`` whose ``source`` is the source's Wikidata entity (when
    it has a Wikidata id), else its URL, else ``<base>/sources/<name>``; and a ``TextualBody``
    with the source's name.
    """
    base = base_uri.rstrip("/")
    text = record["text"]
    source = f"{base}/documents/{_iri_segment(record['id'])}"
    registry = {entry["name"]: entry for entry in record.get("sources", [])}

    def identifying(name: str) -> list[Line]:
        entry = registry.get(name, {})
        if entry.get("wikidata"):
            iri = WIKIDATA_ENTITY + _iri_segment(entry["wikidata"])
        else:
            iri = entry.get("url") or f"{base}/sources/{_iri_segment(name)}"
        return [
            {"type": "SpecificResource", "purpose": "identifying", "source": iri},
            {"type": "TextualBody", "purpose": "identifying", "value": name},
        ]

    def annotation(span: Mapping[str, Any], creator: Line) -> Line:
        exact = span_text(text, span)
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
        if span.get("source"):
            body += identifying(span["source"])
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

    def person(name: str) -> Line:
        return {"id": f"{base}/annotators/{_iri_segment(name)}", "type": "Person", "nickname": name}

    def software(curator: str | None) -> Line:
        return {
            "id": f"{base}/{GOLD}",
            "type": "Software",
            "nickname": GOLD,
            "name": f"gold standard, curated by {curator}",
        }

    def link(relation: Mapping[str, Any], creator: Line) -> Line:
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
        for span in sorted(record.get("annotations", []), key=annotation_order)
    ]
    lines += [
        annotation(span, software(span["curator"])) for span in gold_spans(record, include_gold)
    ]
    lines += [link(item, person(item["annotator"])) for item in annotation_relations_of(record)]

    def classifying(answers: list[Mapping[str, Any]], creator: Line, who: str) -> Line:
        return {
            "@context": W3C_CONTEXT,
            "id": f"{base}/answers/{_iri_segment(record['id'])}/{_iri_segment(who)}",
            "type": "Annotation",
            "motivation": "classifying",
            "creator": creator,
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

    for name in annotator_names(record):
        answers = answers_of(record, name)
        if answers:
            lines.append(classifying(answers, person(name), name))
    gold_answers = gold_answers_of(record, include_gold)
    if gold_answers:
        curators = sorted({item["curator"] for item in gold_answers if item.get("curator")})
        creator = software(", ".join(curators) or None)
        lines.append(classifying(gold_answers, creator, GOLD))
    lines += [
        link(item, software(item.get("curator")))
        for item in gold_relations_of(record, include_gold)
    ]
    return lines
