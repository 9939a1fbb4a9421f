"""Parse import files into documents, checking everything before anything is stored.

Pure: no Flask, no database. The caller passes what it knows of the project (its labels and the
document ids it already has) and stores what comes out inside one transaction, so that the first
:class:`ImportRejected` leaves the database as it was.

Offsets in an import file are code points into the text *as written in the file*; line endings
are normalised to ``\\n`` afterwards and the offsets are moved with the text.

Native files may carry span ``attributes`` (checked against the project's label definitions) and
``relations`` / ``gold_relations`` between spans of the same layer, naming their ends by the
spans' ``id`` in the file (the stored spans get new ids; the relations follow them), and
``sources`` of the project's source registry that spans name by their ``source`` (the name).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.annotation.definitions import TypeRule, check_attributes
from annotator.annotation.questions import check_answer
from annotator.errors import ImportRejected, InvalidAnswer, Problem
from annotator.limits import MAX_NOTE_CHARS, meta_problem, nul_at
from annotator.offsets import normalise_newlines
from annotator.rules import SOURCE_KINDS, STATUSES, USERNAME, source_key

Reject = Callable[[str | None, str], ImportRejected]
"""Makes the refusal of the document being parsed: ``reject(field, reason)`` names its file and
line; the caller raises it."""

DOCUMENT_KEYS = {
    "id",
    "title",
    "url",
    "meta",
    "text",
    "annotations",
    "annotators",
    "gold",
    "relations",
    "gold_relations",
    "answers",
    "gold_answers",
    "sources",
}
SOURCE_KEYS = ("name", "kind", "url", "wikidata")
MAX_SOURCE_NAME = 200
MAX_WIKIDATA = 20
#: The key of the last line of an export that failed midway (``data_export.records``).
EXPORT_FAILED = "export_failed"
NOSCRIPT = re.compile(r"<noscript\b.*?</noscript\s*>", re.IGNORECASE | re.DOTALL)


@dataclass
class ImportedSpan:
    label: str
    start: int
    end: int
    note: str = ""
    annotator: str | None = None  # None for gold spans
    attributes: dict[str, Any] = field(default_factory=dict)
    id: str | None = None  # the span's id in the file, for relations to refer to
    source: str | None = None  # the name key of the source it names, one of the line's sources


@dataclass(frozen=True)
class ImportedSource:
    """A source of the registry a line lists; stored unless the project has one of that name
    (compared by ``rules.source_key``)."""

    name: str
    kind: str = "person"
    url: str | None = None
    wikidata: str | None = None


@dataclass
class ImportedRelation:
    """A link between two spans of one layer, given by their indices in that layer's list."""

    type: str
    source: int
    target: int
    value: str | None = None
    annotator: str | None = None  # None for gold relations


@dataclass
class ImportedAnswer:
    """An annotator's answer to a document question, checked against the project's question."""

    annotator: str
    question: str
    value: Any


@dataclass
class ImportedGoldAnswer:
    """A gold answer to a document question (its curator is not imported, as a gold span's is
    not), checked against the project's question."""

    question: str
    value: Any


@dataclass
class ImportedDocument:
    external_id: str
    text: str
    title: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[ImportedSpan] = field(default_factory=list)
    gold: list[ImportedSpan] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # annotator -> status
    line: int | None = None
    relations: list[ImportedRelation] = field(default_factory=list)
    gold_relations: list[ImportedRelation] = field(default_factory=list)
    answers: list[ImportedAnswer] = field(default_factory=list)
    gold_answers: list[ImportedGoldAnswer] = field(default_factory=list)
    sources: dict[str, ImportedSource] = field(default_factory=dict)  # by name key


@dataclass
class ImportRules:
    """What the target project accepts."""

    labels: Container[str]
    existing_ids: Container[str] = frozenset()
    max_chars: int = 1_000_000
    attributes: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    """Label name -> its attribute definitions (``Label.attributes``)."""
    relation_types: Mapping[str, TypeRule] = field(default_factory=dict)
    questions: Mapping[str, Any] = field(default_factory=dict)
    """Question name -> its definition (a ``Question`` or ``questions.QuestionSpec``)."""
    source_labels: Container[str] = frozenset()
    """Labels whose spans may name a source (``Label.links_source``)."""

    @property
    def max_line_bytes(self) -> int:
        # A code point is at most 4 bytes in UTF-8, and JSON escapes can take 12 (\uXXXX\uXXXX).
        return self.max_chars * 12 + 1_000_000


def source_stem(source: str) -> str:
    return os.path.splitext(os.path.basename(source))[0] or "document"


def parse_jsonl(
    lines: Iterable[bytes], source: str, rules: ImportRules
) -> Iterator[ImportedDocument]:
    """Yield one checked document per non-blank line of a JSONL file, streaming.

    Raises :class:`ImportRejected` at the first bad line; documents already yielded must then be
    discarded by the caller (it stores them in a transaction it rolls back).
    """
    for number, raw in enumerate(lines, start=1):
        if len(raw) > rules.max_line_bytes:
            raise ImportRejected(
                source, number, None, f"line is over the size limit ({rules.max_line_bytes} bytes)"
            )
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise ImportRejected(
                    source, number, None, f"not UTF-8 text ({bad.reason} at byte {bad.start})"
                ) from None
            raise ImportRejected(source, number, None, f"not valid JSON ({error})") from None
        yield parse_document(value, source, number, rules, f"{source_stem(source)}-{number}")


def parse_document(
    value: Any, source: str, line: int | None, rules: ImportRules, default_id: str
) -> ImportedDocument:
    """Check one JSON document object and return it with normalised text and moved offsets."""

    def reject(field_name: str | None, reason: str) -> ImportRejected:
        return ImportRejected(source, line, field_name, reason)

    if not isinstance(value, dict):
        raise reject(None, f"expected a JSON object, got {_json_type(value)}")
    if EXPORT_FAILED in value:
        raise reject(EXPORT_FAILED, "this file is an export that failed midway: export it again")
    unknown = sorted(set(value) - DOCUMENT_KEYS)
    if unknown:
        raise reject(unknown[0], f"unknown field (known: {', '.join(sorted(DOCUMENT_KEYS))})")
    holding_nul = nul_at(value, "")
    if holding_nul is not None:
        # Anywhere, also in meta, attributes and relation values: PostgreSQL cannot store it.
        raise reject(holding_nul, "contains a NUL character (U+0000), which cannot be stored")
    if "text" not in value:
        raise reject("text", "missing; every document needs its text")
    written = value["text"]
    if not isinstance(written, str):
        raise reject("text", f"expected a string, got {_json_type(written)}")
    if not written:
        raise reject("text", "empty; every document needs its text")
    if len(written) > rules.max_chars:
        raise reject("text", f"over the size limit ({len(written)} > {rules.max_chars} characters)")
    _refuse_nul(written, "text", reject)

    external_id = value.get("id", default_id)
    if isinstance(external_id, bool) or not isinstance(external_id, str | int):
        raise reject("id", f"expected a string or a whole number, got {_json_type(external_id)}")
    external_id = str(external_id)
    if not external_id or len(external_id) > 255:
        raise reject("id", "must be 1 to 255 characters long")
    _refuse_nul(external_id, "id", reject)
    if external_id in rules.existing_ids:
        raise reject("id", f"duplicate id {external_id!r}: the project already has it")

    title = _optional_string(value, "title", 500, reject)
    url = _optional_string(value, "url", 2000, reject)
    meta = value.get("meta") or {}
    if not isinstance(meta, dict):
        raise reject("meta", f"expected an object, got {_json_type(meta)}")
    too_big = meta_problem(meta)
    if too_big is not None:  # export must be able to write back whatever import accepts
        raise reject("meta", too_big)

    text, move = normalise_newlines(written)
    document = ImportedDocument(external_id, text, title, url, meta, line=line)
    for index, item in enumerate(_list(value, "sources", reject)):
        where = f"sources[{index}]"
        listed = _parse_source(item, where, reject)
        key = source_key(listed.name)
        if key in document.sources:
            raise reject(f"{where}.name", f"{listed.name!r} is listed twice")
        document.sources[key] = listed
    for layer, spans, gold in (
        ("annotations", document.annotations, False),
        ("gold", document.gold, True),
    ):
        first_at: dict[tuple[str | None, str, int, int], int] = {}
        for index, item in enumerate(_list(value, layer, reject)):
            where = f"{layer}[{index}]"
            span = _moved(
                _parse_span(item, where, written, rules, reject, gold), move, where, reject
            )
            _check_source(span, item, where, document.sources, rules, reject)
            content = (span.annotator, span.label, span.start, span.end)
            if content in first_at:
                who = "gold holds" if gold else f"{span.annotator} marks"
                raise reject(
                    where,
                    f"same label and range as {layer}[{first_at[content]}]: {who} a span once",
                )
            first_at[content] = index
            spans.append(span)
    for index, item in enumerate(_list(value, "annotators", reject)):
        where = f"annotators[{index}]"
        if not isinstance(item, dict):
            raise reject(where, "expected an object with an 'annotator' name")
        name = _annotator_name(item, where, reject)
        status = item.get("status", "done")
        if status not in STATUSES:
            raise reject(f"{where}.status", f"expected one of {', '.join(STATUSES)}")
        document.statuses[name] = status
    for key, spans, out in (
        ("relations", document.annotations, document.relations),
        ("gold_relations", document.gold, document.gold_relations),
    ):
        ids = _span_ids(spans)
        seen: set[tuple[str, int, int]] = set()
        for index, item in enumerate(_list(value, key, reject)):
            relation = _parse_relation(item, f"{key}[{index}]", spans, ids, rules, reject)
            triple = (relation.type, relation.source, relation.target)
            if triple in seen:
                raise reject(f"{key}[{index}]", "the same two spans are linked twice as this type")
            seen.add(triple)
            out.append(relation)
    answered: set[tuple[str, str]] = set()
    for index, item in enumerate(_list(value, "answers", reject)):
        answer = _parse_answer(item, f"answers[{index}]", rules, reject)
        if (answer.annotator, answer.question) in answered:
            raise reject(f"answers[{index}]", f"{answer.annotator} answers {answer.question} twice")
        answered.add((answer.annotator, answer.question))
        document.answers.append(answer)
    for index, item in enumerate(_list(value, "gold_answers", reject)):
        where = f"gold_answers[{index}]"
        if not isinstance(item, dict):
            raise reject(where, "expected an object with 'question' and 'value'")
        question, checked = _question_value(item, where, rules, reject)
        if any(earlier.question == question for earlier in document.gold_answers):
            raise reject(where, f"gold answers {question} twice")
        document.gold_answers.append(ImportedGoldAnswer(question, checked))
    return document


def _parse_answer(item: Any, where: str, rules: ImportRules, reject: Reject) -> ImportedAnswer:
    if not isinstance(item, dict):
        raise reject(where, "expected an object with 'annotator', 'question' and 'value'")
    name = _annotator_name(item, where, reject)
    return ImportedAnswer(name, *_question_value(item, where, rules, reject))


def _question_value(
    item: dict[str, Any], where: str, rules: ImportRules, reject: Reject
) -> tuple[str, Any]:
    """(question, value) of an answer, the value checked against the project's question."""
    question = item.get("question")
    if not isinstance(question, str) or question not in rules.questions:
        known = ", ".join(rules.questions) or "none"
        raise reject(f"{where}.question", f"unknown question {question!r} (known: {known})")
    if "value" not in item:
        raise reject(f"{where}.value", "missing")
    try:
        return question, check_answer(item["value"], rules.questions[question])
    except InvalidAnswer as problem:
        raise reject(f"{where}.value", str(problem)) from None


def _span_ids(spans: list[ImportedSpan]) -> dict[str, int | None]:
    """The file's span id -> index in ``spans``; None for an id given to several spans."""
    ids: dict[str, int | None] = {}
    for index, span in enumerate(spans):
        if span.id is not None:
            ids[span.id] = None if span.id in ids else index
    return ids


def _parse_relation(
    item: Any,
    where: str,
    spans: list[ImportedSpan],
    ids: dict[str, int | None],
    rules: ImportRules,
    reject: Reject,
) -> ImportedRelation:
    if not isinstance(item, dict):
        raise reject(where, f"expected an object, got {_json_type(item)}")
    gold = where.startswith("gold")
    annotator = None if gold else _annotator_name(item, where, reject)
    type_name = item.get("type")
    if not isinstance(type_name, str) or type_name not in rules.relation_types:
        known = ", ".join(rules.relation_types) or "none"
        raise reject(
            f"{where}.type",
            f"unknown relation type {type_name!r} for this project (known: {known})",
        )
    rule = rules.relation_types[type_name]
    ends: dict[str, int] = {}
    for key in ("source", "target"):
        span_id = item.get(key)
        if isinstance(span_id, int) and not isinstance(span_id, bool):
            span_id = str(span_id)
        if not isinstance(span_id, str) or span_id not in ids:
            layer = "gold" if gold else "annotations"
            raise reject(f"{where}.{key}", f"{span_id!r} is not the id of a span in {layer}")
        end = ids[span_id]
        if end is None:
            raise reject(f"{where}.{key}", f"several spans have the id {span_id!r}")
        ends[key] = end
        if not gold and spans[ends[key]].annotator != annotator:
            raise reject(f"{where}.{key}", f"{span_id!r} is a span of another annotator")
    if ends["source"] == ends["target"]:
        raise reject(where, "a span cannot be linked to itself")
    try:
        rule.check_ends(spans[ends["source"]].label, spans[ends["target"]].label)
        value = rule.check_value(item.get("value"))
    except Problem as problem:
        raise reject(f"{where}.{problem.field}", str(problem)) from None
    return ImportedRelation(type_name, ends["source"], ends["target"], value, annotator)


def _parse_span(
    item: Any, where: str, written: str, rules: ImportRules, reject: Reject, gold: bool
) -> ImportedSpan:
    if not isinstance(item, dict):
        raise reject(where, f"expected an object, got {_json_type(item)}")
    annotator = None if gold else _annotator_name(item, where, reject)
    label = item.get("label")
    if not isinstance(label, str):
        raise reject(f"{where}.label", f"expected a string, got {_json_type(label)}")
    if label not in rules.labels:
        raise reject(f"{where}.label", f"unknown label {label!r} for this project")
    for key in ("start", "end"):
        number = item.get(key)
        if isinstance(number, bool) or not isinstance(number, int):
            raise reject(f"{where}.{key}", f"expected a whole number, got {_json_type(number)}")
    start, end = item["start"], item["end"]
    if start < 0:
        raise reject(f"{where}.start", f"offset {start} is outside the text (it starts at 0)")
    if end > len(written):
        raise reject(
            f"{where}.end",
            f"offset {end} is outside the text ({len(written)} characters; offsets count "
            "Unicode code points)",
        )
    if start >= end:
        raise reject(where, f"start {start} is not before end {end}: a span needs a character")
    if "text" in item and item["text"] != written[start:end]:
        raise reject(
            f"{where}.text",
            f"{item['text']!r} does not match the document text at [{start}, {end}): "
            f"{written[start:end]!r}",
        )
    note = item.get("note") or ""
    if not isinstance(note, str):
        raise reject(f"{where}.note", f"expected a string, got {_json_type(note)}")
    if len(note) > MAX_NOTE_CHARS:
        raise reject(f"{where}.note", f"longer than {MAX_NOTE_CHARS:,} characters")
    _refuse_nul(note, f"{where}.note", reject)
    try:
        attributes = check_attributes(item.get("attributes"), rules.attributes.get(label, ()))
    except Problem as problem:
        raise reject(f"{where}.attributes", str(problem)) from None
    span_id = item.get("id")
    if span_id is not None and (isinstance(span_id, bool) or not isinstance(span_id, str | int)):
        raise reject(f"{where}.id", f"expected a string, got {_json_type(span_id)}")
    span_id = None if span_id is None else str(span_id)
    return ImportedSpan(label, start, end, note, annotator, attributes, span_id)


def _parse_source(item: Any, where: str, reject: Reject) -> ImportedSource:
    if not isinstance(item, dict):
        raise reject(where, f"expected an object with a 'name', got {_json_type(item)}")
    unknown = sorted(set(item) - set(SOURCE_KEYS))
    if unknown:
        raise reject(f"{where}.{unknown[0]}", f"unknown field (known: {', '.join(SOURCE_KEYS)})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise reject(f"{where}.name", "missing or empty; every source needs a name")
    if max(len(name.strip()), len(source_key(name))) > MAX_SOURCE_NAME:  # "ß" folds to "ss"
        raise reject(f"{where}.name", f"longer than {MAX_SOURCE_NAME} characters")
    kind = item.get("kind", "person")
    if kind not in SOURCE_KINDS:
        raise reject(f"{where}.kind", f"unknown kind {kind!r} (known: {', '.join(SOURCE_KINDS)})")
    url = _optional_string(item, "url", 2000, lambda f, reason: reject(f"{where}.{f}", reason))
    wikidata = _optional_string(
        item, "wikidata", MAX_WIKIDATA, lambda f, reason: reject(f"{where}.{f}", reason)
    )
    return ImportedSource(name.strip(), kind, url or None, wikidata or None)


def _check_source(
    span: ImportedSpan,
    item: dict[str, Any],
    where: str,
    sources: Mapping[str, ImportedSource],
    rules: ImportRules,
    reject: Reject,
) -> None:
    """Set ``span.source`` from the file's ``source``: the name of one of the line's sources,
    on a label whose spans may name one."""
    name = item.get("source")
    if name is None:
        return
    if not isinstance(name, str):
        raise reject(f"{where}.source", f"expected a source's name, got {_json_type(name)}")
    if source_key(name) not in sources:
        raise reject(f"{where}.source", f"{name!r} is not one of this line's sources")
    if span.label not in rules.source_labels:
        raise reject(f"{where}.source", f"spans of label {span.label!r} do not name sources")
    span.source = source_key(name)


def _annotator_name(item: dict[str, Any], where: str, reject: Reject) -> str:
    name = item.get("annotator")
    if not isinstance(name, str) or not USERNAME.match(name.strip()):
        raise reject(
            f"{where}.annotator",
            "expected a user name of 1 to 80 letters, digits or . @ + - _",
        )
    return name.strip()


def _moved(
    span: ImportedSpan, move: Callable[[int], int], where: str, reject: Reject
) -> ImportedSpan:
    start, end = move(span.start), move(span.end)
    if start == end:
        # Only a span holding nothing but the \r of a \r\n pair can collapse.
        raise reject(
            where,
            f"[{span.start}, {span.end}) holds only the \\r of a \\r\\n line ending, "
            "which disappears when line endings become \\n",
        )
    span.start, span.end = start, end
    return span


def _refuse_nul(value: str, field_name: str, reject: Reject) -> None:
    # PostgreSQL cannot store U+0000 in text; refuse it on every database so files behave alike.
    if "\x00" in value:
        raise reject(field_name, "contains a NUL character (U+0000), which cannot be stored")


def _list(value: dict[str, Any], key: str, reject: Reject) -> list[Any]:
    items = value.get(key) or []
    if not isinstance(items, list):
        raise reject(key, f"expected a list, got {_json_type(items)}")
    return items


def _optional_string(value: dict[str, Any], key: str, limit: int, reject: Reject) -> str | None:
    item = value.get(key)
    if item is None:
        return None
    if not isinstance(item, str):
        raise reject(key, f"expected a string, got {_json_type(item)}")
    if len(item) > limit:
        raise reject(key, f"longer than {limit} characters")
    _refuse_nul(item, key, reject)
    return item


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            source, None, None, f"not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None


def parse_text_file(data: bytes, source: str, rules: ImportRules) -> ImportedDocument:
    """A ``.txt`` file is one document; its id is the file name without extension."""
    if len(data) > rules.max_chars * 4 + 3:  # more bytes than the longest allowed text can take
        raise ImportRejected(
            source, None, "text", f"over the size limit ({rules.max_chars} characters)"
        )
    text = _decode(data, source)
    return parse_document({"id": source_stem(source), "text": text}, source, None, rules, "")


def parse_html_file(data: bytes, source: str, rules: ImportRules) -> ImportedDocument:
    """An HTML article becomes clean text (boilerplate removed) with its title and URL."""
    import trafilatura

    # Text shown only without JavaScript ("enable JavaScript", tracking pixels) is not article.
    html = NOSCRIPT.sub("", _decode(data, source))
    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if isinstance(extracted, dict):  # only with the deprecated as_dict=True
        raise TypeError("trafilatura.bare_extraction gave a dict, not a Document")
    text = "" if extracted is None else extracted.text or ""
    if extracted is None or not text.strip():
        raise ImportRejected(source, None, "text", "no article text found in this HTML")
    value: dict[str, str] = {"id": source_stem(source), "text": text}
    if extracted.title:
        value["title"] = extracted.title[:500]
    if extracted.url:
        value["url"] = extracted.url[:2000]
    return parse_document(value, source, None, rules, "")


def parse_file(
    lines_or_data: Iterable[bytes] | bytes, source: str, rules: ImportRules
) -> Iterator[ImportedDocument]:
    """Dispatch on the file extension: ``.jsonl``/``.ndjson``, ``.txt``, ``.html``/``.htm``."""
    extension = os.path.splitext(source)[1].lower()
    if extension in (".jsonl", ".ndjson"):
        lines: Iterable[bytes] = (
            lines_or_data.split(b"\n") if isinstance(lines_or_data, bytes) else lines_or_data
        )
        yield from parse_jsonl(lines, source, rules)
        return
    data = lines_or_data if isinstance(lines_or_data, bytes) else b"".join(lines_or_data)
    if extension == ".txt":
        yield parse_text_file(data, source, rules)
    elif extension in (".html", ".htm"):
        yield parse_html_file(data, source, rules)
    else:
        raise ImportRejected(
            source, None, None, "unknown file type (expected .jsonl, .ndjson, .txt, .html or .htm)"
        )
