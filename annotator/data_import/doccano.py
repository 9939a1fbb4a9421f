"""Read doccano's sequence-labelling JSONL export, with or without relations. Pure.

doccano writes one JSON object per line (pandas ``to_json(orient="records", lines=True)``):
``{"id": 7, "text": "...", "label": [[start, end, "LABEL"], ...], "Comments": []}`` for a plain
sequence-labelling project, and ``{"id", "text", "entities": [{"id", "label", "start_offset",
"end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}], "Comments": []}`` when the
project has relation labelling. Older versions call ``label`` ``labels``. Offsets count UTF-16
code units (doccano's browser annotator uses JavaScript string indices, doccano issue #2290); they
are converted to code points here, and an offset inside a surrogate pair is refused.

Whose spans: the line's ``annotator`` (our doccano export writes it; ``"gold"`` is the gold
layer), else the annotator the person importing names (``--annotator``), else the name of the
file inside a zip (doccano's export zip holds one ``<user name>.jsonl`` per annotator). Lines with
the same ``id`` are one document (our export writes one line per annotator); their texts must be
equal. A line without ``id`` is a document of its own.

What our export adds, doccano ignores and this reads back: an entity's ``attributes`` and
``source`` (the name of a source the line lists in ``sources``, checked as a native line's are).
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
    from_utf16,
    json_lines,
    rejecter,
    same_text,
    text_of,
    whole_number,
)


def parse_doccano(
    lines: Iterable[bytes], source: str, rules: ImportRules, options: PeerOptions
) -> Iterator[ImportedDocument]:
    return parse_doccano_files([(source, lines, options)], rules)


def parse_doccano_files(
    files: Iterable[tuple[str, Iterable[bytes], PeerOptions]], rules: ImportRules
) -> Iterator[ImportedDocument]:
    """Several doccano files as one set of documents: the files of doccano's export zip, one per
    annotator, hold the same examples (by ``id``)."""
    drafts: dict[str, DocumentDraft] = {}
    for source, lines, options in files:
        for number, value, _reject in json_lines(lines, source):
            _read_line(value, number, source, rules, options, drafts)
    for draft in drafts.values():
        yield draft.parsed(rules)


def _read_line(
    value: dict[str, Any],
    number: int,
    source: str,
    rules: ImportRules,
    options: PeerOptions,
    drafts: dict[str, DocumentDraft],
) -> None:
    reject = rejecter(source, number)
    text = text_of(value.get("text"), "text", reject)
    name = value.get("annotator", options.annotator)
    if name is None:
        raise reject(
            "annotator",
            "no annotator: name one (--annotator NAME, or the field on the import page), or "
            "import doccano's export zip, whose files are named after the annotators",
        )
    annotator: str | None = annotator_name(name, "annotator", reject)
    if annotator == GOLD:
        annotator = None
    key = value.get("id")
    if isinstance(key, bool) or not isinstance(key, str | int | type(None)):
        raise reject("id", "expected a string or a whole number")
    external_id = f"{source_stem(source)}-{number}" if key is None else str(key)
    draft = drafts.get(external_id)
    if draft is None:
        given = value.get("meta")
        meta: dict[str, Any] = given if isinstance(given, dict) else {}
        draft = drafts[external_id] = DocumentDraft(external_id, text, source, number, meta=meta)
    else:
        same_text(draft, text, "text", reject)
    layer = "gold" if annotator is None else annotator
    if (annotator is None and draft.gold) or (
        annotator is not None and annotator in draft.annotators
    ):
        raise reject("annotator", f"a second line of {layer} for document {external_id!r}")
    if annotator is not None:
        draft.annotators.setdefault(annotator, "done")  # a line without spans still counts
    prefix = f"{number}:"
    if "entities" in value:
        entities = value["entities"]
        if not isinstance(entities, list):
            raise reject("entities", "expected a list")
        for index, entity in enumerate(entities):
            where = f"entities[{index}]"
            if not isinstance(entity, dict):
                raise reject(where, "expected an object")
            start, end = _offsets(
                text, entity.get("start_offset"), entity.get("end_offset"), where, reject
            )
            label = check_label(entity.get("label"), f"{where}.label", rules, reject)
            ident = entity.get("id", index)
            draft.add_span(
                annotator,
                f"{prefix}{ident}",
                label,
                start,
                end,
                attributes=entity.get("attributes") or None,
                source=entity.get("source"),
            )
        draft.add_sources(value.get("sources"), "sources", reject)
        relations = value.get("relations") or []
        if not isinstance(relations, list):
            raise reject("relations", "expected a list")
        ids = {f"{prefix}{entity.get('id', i)}" for i, entity in enumerate(entities)}
        for index, relation in enumerate(relations):
            where = f"relations[{index}]"
            if not isinstance(relation, dict):
                raise reject(where, "expected an object")
            ends = []
            for key_name in ("from_id", "to_id"):
                ident = f"{prefix}{relation.get(key_name)}"
                if ident not in ids:
                    raise reject(
                        f"{where}.{key_name}",
                        f"{relation.get(key_name)!r} is not the id of an entity of this line",
                    )
                ends.append(ident)
            type_name = check_relation_type(relation.get("type"), f"{where}.type", rules, reject)
            draft.add_relation(annotator, type_name, ends[0], ends[1], relation.get("value"))
        return
    key_name = "label" if "label" in value else "labels"
    spans = value.get(key_name) or []
    if not isinstance(spans, list):
        raise reject(key_name, "expected a list of [start, end, label]")
    for index, item in enumerate(spans):
        where = f"{key_name}[{index}]"
        if not isinstance(item, list) or len(item) != 3:
            raise reject(where, "expected [start, end, label]")
        start, end = _offsets(text, item[0], item[1], where, reject)
        label = check_label(item[2], f"{where}[2]", rules, reject)
        draft.add_span(annotator, f"{prefix}{index}", label, start, end)


def _offsets(text: str, start: Any, end: Any, where: str, reject: Reject) -> tuple[int, int]:
    start = whole_number(start, where, reject)
    end = whole_number(end, where, reject)
    start, end = from_utf16(text, start, end, where, reject)
    check_range(text, start, end, where, reject)
    return start, end
