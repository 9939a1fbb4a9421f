"""Prodigy / spaCy task JSONL: one line per annotator (and gold), code-point offsets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def prodigy_lines(record: Record, *, include_gold: bool = True) -> list[Line]:
    """Prodigy / spaCy task JSONL: one line per annotator, and one for gold if any.

    ``{"text", "spans": [{"start", "end", "label", "text"}], "meta": {..., "id", "annotator"},
    "answer": "accept"}``. Offsets are code points, as in Python's ``str`` and spaCy's
    ``Doc.char_span``. Left out on purpose: ``tokens`` and ``token_start``/``token_end`` (they
    depend on a tokenizer, and Prodigy adds them), ``_input_hash``/``_task_hash`` (Prodigy
    computes them on load; a hash of ours would not match its own). Spans may overlap, so
    use them with ``spans.manual`` / spaCy ``doc.spans`` rather than ``ner``.

    A span's attribute values, when it has any, are in its ``attributes``, and the name of the
    source it names (the project's source registry), if any, in its ``source``; the line then
    lists those sources in ``sources`` (name, kind, URL, Wikidata id, as a native line). A line
    whose spans are linked has ``"relations": [{"head_span", "child_span", "label",
    "value"?}]`` like Prodigy's ``rel.manual`` tasks (head = our source, child = our target),
    each end as ``{"start", "end", "label"}``; the token indices ``head`` and ``child`` are left
    out, as are tokens. Answers to the document questions are on the annotator's task
    (`_prodigy_answers`), the gold answers on the gold task, which is written when gold has spans
    or answers.
    """
    text = record["text"]
    base_meta = sorted_json(record.get("meta") or {})
    relations = annotation_relations_of(record)

    def task_span(span: Mapping[str, Any]) -> Line:
        entry = {
            "start": span["start"],
            "end": span["end"],
            "label": span["label"],
            "text": span_text(text, span),
        }
        if span.get("attributes"):
            entry["attributes"] = sorted_json(span["attributes"])
        if span.get("source"):
            entry["source"] = span["source"]
        return entry

    def line(
        annotator: str,
        spans: list[Mapping[str, Any]],
        links: list[Mapping[str, Any]],
        answers: Sequence[Mapping[str, Any]],
    ) -> Line:
        task = {
            "text": text,
            "spans": [task_span(span) for span in spans],
            # Ours win over same-named keys in the document's meta.
            "meta": {**base_meta, "id": record["id"], "annotator": annotator},
            "answer": "accept",
        }
        task.update(_prodigy_answers(answers))
        if sources := named_sources(record, spans):
            task["sources"] = sources  # the registry entries its spans name, as a native line
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
        line(
            name,
            spans,
            [link for link in relations if link["annotator"] == name],
            answers_of(record, name),
        )
        for name, spans in spans_by_annotator(record).items()
    ]
    gold = gold_spans(record, include_gold)
    gold_answers = gold_answers_of(record, include_gold)
    if gold or gold_answers:
        lines.append(line(GOLD, gold, gold_relations_of(record, include_gold), gold_answers))
    return lines


def _relation_end(span: Mapping[str, Any]) -> Line:
    return {"start": span["start"], "end": span["end"], "label": span["label"]}


def _prodigy_answers(answers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Prodigy's choice interface: ``options`` ``{"id": "question:choice", "text"}`` for every
    choice of the answered choice questions, ``accept`` the ids chosen; and ``answers`` (every
    answer: question -> value). Each left out when empty."""
    out: dict[str, Any] = {}
    options: list[dict[str, Any]] = []
    accept: list[str] = []
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
