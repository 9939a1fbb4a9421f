"""doccano JSONL: one line per annotator (and gold), in UTF-16 offsets by default.

doccano counts in UTF-16 code units (JavaScript string indices), so `doccano_lines` converts
our code-point offsets unless asked not to; see its docstring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from annotator.data_export.formats.record import (
    CHOICE_KINDS,
    GOLD,
    Line,
    Record,
    annotation_relations_of,
    answers_of,
    gold_answers_of,
    gold_relations_of,
    gold_spans,
    named_sources,
    sorted_json,
    span_text,
    spans_by_annotator,
)
from annotator.offsets import utf16_offsets

DOCCANO_OFFSETS = ("utf16", "codepoint")


def doccano_lines(
    record: Record, *, include_gold: bool = True, offsets: str = "utf16"
) -> list[Line]:
    """doccano sequence-labelling JSONL: one line per annotator, and one for gold if any.

    ``{"text", "label": [[start, end, label], ...], "id", "annotator", "meta"}`` — doccano's
    JSONL import reads the ``text`` and ``label`` columns and keeps the other keys as the
    example's metadata. Gold appears as annotator ``"gold"``.

    ``offsets="utf16"`` (default) counts UTF-16 code units, what doccano's browser annotator
    uses (doccano issue #2290), so spans after an emoji land where they should inside doccano.
    ``offsets="codepoint"`` keeps our offsets, for Python readers (``text[start:end]``). Both
    agree on text without characters above U+FFFF. doccano's optional grapheme mode is not
    supported.

    When the document has relations, span attributes or source links, every line also carries
    doccano's relation format ("JSONL(Relation)"): ``"entities": [{"id", "start_offset",
    "end_offset", "label", "attributes"?, "source"?}]`` (the same spans as ``label``, in the same
    order and unit, with ids 0, 1, … within the line; ``source`` the name of the source the span
    names, listed with its kind, URL and Wikidata id in the line's ``sources`` as a native line
    lists it, so that importing the file back keeps it) and ``"relations": [{"id", "from_id",
    "to_id", "type", "value"?}]`` (ids of those entities). doccano reads them in a project with
    relation labeling and ignores ``attributes``, ``source``, ``sources`` and ``value``; its
    sequence-labelling import keeps them as meta.

    An annotator's answers to the document questions are on their line as ``cats`` (choice
    questions) and ``answers`` (every one); the gold answers on the gold line, which is written
    when gold has spans or answers.
    """
    if offsets not in DOCCANO_OFFSETS:
        raise ValueError(f"offsets must be one of {DOCCANO_OFFSETS}, not {offsets!r}")
    text = record["text"]
    convert = utf16_offsets(text) if offsets == "utf16" else (lambda offset: offset)
    relations = annotation_relations_of(record)
    gold_relations = gold_relations_of(record, include_gold)
    gold = gold_spans(record, include_gold)
    linked = bool(relations or gold_relations) or any(
        span.get("attributes") or span.get("source")
        for span in [*record.get("annotations", []), *gold]
    )

    def line(
        annotator: str,
        spans: Iterable[Mapping[str, Any]],
        links: Iterable[Mapping[str, Any]],
        answers: Sequence[Mapping[str, Any]],
    ) -> Line:
        labels: list[list[int | str]] = []
        entities: list[Line] = []
        named: list[Mapping[str, Any]] = []  # the spans that name a source
        index: dict[str, int] = {}
        for span in spans:
            span_text(text, span)  # validates the offsets
            start, end = convert(span["start"]), convert(span["end"])
            labels.append([start, end, span["label"]])
            entity = {
                "id": len(entities),
                "start_offset": start,
                "end_offset": end,
                "label": span["label"],
            }
            if span.get("attributes"):
                entity["attributes"] = sorted_json(span["attributes"])
            if span.get("source"):
                entity["source"] = span["source"]
                named.append(span)
            index[span["id"]] = entity["id"]
            entities.append(entity)
        out = {
            "text": text,
            "label": labels,
            "id": record["id"],
            "annotator": annotator,
            "meta": sorted_json(record.get("meta") or {}),
        }
        out.update(_doccano_answers(answers))
        if linked:
            out["entities"] = entities
            if sources := named_sources(record, named):
                out["sources"] = sources  # the registry entries its spans name
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
        line(
            name,
            spans,
            [link for link in relations if link["annotator"] == name],
            answers_of(record, name),
        )
        for name, spans in spans_by_annotator(record).items()
    ]
    gold_answers = gold_answers_of(record, include_gold)
    if gold or gold_answers:
        lines.append(line(GOLD, gold, gold_relations, gold_answers))
    return lines


def _doccano_answers(answers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``cats`` (choice questions: question -> choice or choices) and ``answers`` (every answer:
    question -> value), each left out when empty."""
    out: dict[str, Any] = {}
    cats = {a["question"]: a["value"] for a in answers if a.get("kind") in CHOICE_KINDS}
    if cats:
        out["cats"] = cats
    if answers:
        out["answers"] = {a["question"]: a["value"] for a in answers}
    return out
