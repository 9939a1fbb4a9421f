"""Read back our W3C Web Annotation export (``formats.w3c_lines``), with the documents' texts.
Pure.

A W3C annotation points at its document by IRI and carries no text, so the texts come in the same
import as ``.txt`` files named after the documents' ids (``doc-1.txt`` for
``<base>/documents/doc-1``). Each line is one annotation:

- a span: ``target.selector`` has a ``TextPositionSelector`` (code points, as the Recommendation
  requires) and, if given, a ``TextQuoteSelector`` whose ``exact`` must match the text there;
  the ``tagging`` body is the label, ``commenting`` the note, each ``classifying`` body
  ``name: value`` an attribute value (JSON after the colon for kinds other than single choice
  and text);
- answers to document questions (``"motivation": "classifying"``, the document as target) are
  skipped: the native format carries them back;
- a link: ``"motivation": "linking"``, its ``tagging`` body the relation type, a ``describing``
  body its value, its target ``{"type": "List", "items": [source IRI, target IRI]}`` naming span
  annotations of the same file.

The creator says whose: a ``Person``'s ``nickname`` is the annotator, ``Software`` with nickname
``gold`` is the gold layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import orjson

from annotator.data_import.parsers import ImportedDocument, ImportRules
from annotator.data_import.peers import (
    GOLD,
    DocumentDraft,
    Reject,
    annotator_name,
    check_label,
    check_range,
    check_relation_type,
    rejecter,
    whole_number,
)
from annotator.errors import ImportRejected


def parse_w3c(
    lines: Iterable[bytes], source: str, rules: ImportRules, texts: Mapping[str, str]
) -> Iterator[ImportedDocument]:
    """``texts``: document id -> its text (from the ``.txt`` files of the same import)."""
    drafts: dict[str, DocumentDraft] = {}
    spans: dict[str, tuple[DocumentDraft, str | None]] = {}
    links: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(lines, start=1):
        reject = rejecter(source, number)
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise reject(None, f"not valid JSON ({error})") from None
        if not isinstance(value, dict) or value.get("type") != "Annotation":
            raise reject("type", "expected a W3C annotation ({'type': 'Annotation', ...})")
        if value.get("motivation") == "classifying" and isinstance(value.get("target"), str):
            continue  # answers to document questions: the native format reads them back
        if value.get("motivation") == "linking":
            links.append((number, value))
            continue
        _span(value, number, source, rules, texts, drafts, spans, reject)
    for number, value in links:
        reject = rejecter(source, number)
        target = value.get("target")
        items = target.get("items") if isinstance(target, dict) else None
        if not isinstance(items, list) or len(items) != 2:
            raise reject("target.items", "expected the [source, target] span annotation IRIs")
        ends = []
        for position, iri in enumerate(items):
            if not isinstance(iri, str) or iri not in spans:
                raise reject(f"target.items[{position}]", f"{iri!r} is not a span of this file")
            ends.append(spans[iri])
        (draft, source_layer), (other, target_layer) = ends
        creator = _creator(value, reject)
        if draft is not other or source_layer != target_layer or source_layer != creator:
            raise reject("target.items", "a link joins two spans of one document and layer")
        type_name = check_relation_type(_body(value, "tagging", reject), "body", rules, reject)
        describing = _optional_body(value, "describing")
        draft.add_relation(creator, type_name, str(items[0]), str(items[1]), describing)
    for draft in drafts.values():
        yield draft.parsed(rules)


def _span(
    value: dict[str, Any],
    number: int,
    source: str,
    rules: ImportRules,
    texts: Mapping[str, str],
    drafts: dict[str, DocumentDraft],
    spans: dict[str, tuple[DocumentDraft, str | None]],
    reject: Reject,
) -> None:
    target = value.get("target")
    if not isinstance(target, dict) or not isinstance(target.get("source"), str):
        raise reject("target.source", "expected the document's IRI")
    document = target["source"]
    external_id = unquote(document.rstrip("/").rsplit("/", 1)[-1])
    if external_id not in texts:
        raise reject(
            "target.source",
            f"no text for document {external_id!r}: import {external_id}.txt with this file",
        )
    draft = drafts.get(external_id)
    if draft is None:
        draft = drafts[external_id] = DocumentDraft(external_id, texts[external_id], source, number)
    selectors = target.get("selector")
    if isinstance(selectors, dict):
        selectors = [selectors]
    if not isinstance(selectors, list):
        raise reject("target.selector", "expected a TextPositionSelector")
    by_type = {
        item["type"]: item
        for item in selectors
        if isinstance(item, dict) and isinstance(item.get("type"), str)
    }
    position = by_type.get("TextPositionSelector")
    if position is None:
        raise reject("target.selector", "expected a TextPositionSelector")
    start = whole_number(position.get("start"), "target.selector.start", reject)
    end = whole_number(position.get("end"), "target.selector.end", reject)
    check_range(draft.text, start, end, "target.selector", reject)
    quote = by_type.get("TextQuoteSelector")
    exact = quote.get("exact") if quote else None
    if exact is not None and exact != draft.text[start:end]:
        raise reject(
            "target.selector.exact",
            f"{exact!r} does not match the text at [{start}, {end}): {draft.text[start:end]!r}",
        )
    label = check_label(_body(value, "tagging", reject), "body", rules, reject)
    attributes: dict[str, Any] = {}
    kinds = {item["name"]: item.get("kind", "single") for item in rules.attributes.get(label, ())}
    for body in _bodies(value):
        if body.get("purpose") == "classifying" and isinstance(body.get("value"), str):
            name, _, choice = body["value"].partition(": ")
            attributes[name] = _attribute_value(choice, kinds.get(name, "single"))
    annotator = _creator(value, reject)
    iri = value.get("id")
    if not isinstance(iri, str) or iri in spans:
        raise reject("id", "each annotation needs an IRI of its own")
    spans[iri] = (draft, annotator)
    draft.add_span(
        annotator,
        iri,
        label,
        start,
        end,
        note=_optional_body(value, "commenting") or "",
        attributes=attributes or None,
    )


def _attribute_value(text: str, kind: str) -> Any:
    """A ``classifying`` body's value as the attribute's kind stores it: text for a single
    choice or free text, else the JSON the export wrote (a number, true/false, a list)."""
    if kind in ("single", "text"):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text  # refused by the attribute check, naming the attribute


def _creator(value: dict[str, Any], reject: Reject) -> str | None:
    creator = value.get("creator")
    if not isinstance(creator, dict):
        raise reject("creator", "expected a Person (annotator) or Software (gold)")
    if creator.get("type") == "Software" and creator.get("nickname") == GOLD:
        return None
    if creator.get("type") != "Person":
        raise reject("creator.type", "expected Person or Software with nickname gold")
    return annotator_name(creator.get("nickname"), "creator.nickname", reject)


def _bodies(value: dict[str, Any]) -> list[dict[str, Any]]:
    body = value.get("body")
    if isinstance(body, dict):
        body = [body]
    return [item for item in body or [] if isinstance(item, dict)]


def _body(value: dict[str, Any], purpose: str, reject: Reject) -> Any:
    found = [item.get("value") for item in _bodies(value) if item.get("purpose") == purpose]
    if len(found) != 1:
        raise reject("body", f"expected one TextualBody with purpose {purpose!r}")
    return found[0]


def _optional_body(value: dict[str, Any], purpose: str) -> str | None:
    found = [item.get("value") for item in _bodies(value) if item.get("purpose") == purpose]
    return found[0] if found and isinstance(found[0], str) else None


def texts_from(files: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """The ``.txt`` files of an import by document id (file name without ``.txt``)."""
    texts = {}
    for name, data in files:
        stem = name.rsplit("/", 1)[-1][:-4]
        try:
            texts[stem] = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRejected(
                name, None, None, f"not UTF-8 text ({error.reason} at byte {error.start})"
            ) from None
    return texts
