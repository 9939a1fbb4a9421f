"""Read brat standoff: ``.txt`` + ``.ann`` pairs, in a zip or a folder. Pure.

brat keeps each document's text in ``NAME.txt`` and its annotations beside it in ``NAME.ann``,
one per line, fields separated by tabs::

    T1<TAB>attribution 0 8<TAB>Захарова          a text-bound span: label, start, end, its text
    T2<TAB>claim 12 25<TAB>talks failed.
    R1<TAB>attributed_to Arg1:T2 Arg2:T1         a relation: type, source (Arg1), target (Arg2)
    A1<TAB>certainty T2 hedged                   an attribute value (a binary one: "true")
    #1<TAB>AnnotatorNotes T2<TAB>a note          the span's note

Offsets are code points into the ``.txt`` as written (brat reads it as UTF-8 and counts Python
characters), half-open. A discontinuous span (``T3<TAB>claim 0 5;9 14<TAB>...``) has no equal
here and is refused with its file and line; so are events (``E``), normalisations (``N``) and
equivalences (``*``).

Whose spans: a pair in a folder belongs to the annotator the folder is named after (``alice/
doc-1.ann``; our brat export writes one folder per annotator and ``gold/`` for the gold layer);
a pair at the top is the annotator's the person importing names. The same document (file name
without ``.txt``) in several folders must have the same text. ``annotation.conf`` and other
files are ignored.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from annotator.data_import.parsers import ImportedDocument, ImportRules
from annotator.data_import.peers import (
    GOLD,
    DocumentDraft,
    PeerOptions,
    Reject,
    annotator_name,
    check_label,
    check_range,
    check_relation_type,
    rejecter,
)
from annotator.errors import ImportRejected


def parse_brat(
    files: Mapping[str, bytes], source: str, rules: ImportRules, options: PeerOptions
) -> Iterator[ImportedDocument]:
    """``files``: path inside the zip or folder (``/``-separated) -> content."""
    stems = sorted(
        {path[:-4] for path in files if path.endswith((".txt", ".ann"))},
        key=lambda stem: (posixpath.basename(stem), stem),
    )
    drafts: dict[str, DocumentDraft] = {}
    for stem in stems:
        if f"{stem}.txt" not in files:
            raise ImportRejected(
                f"{source}/{stem}.ann", None, None, f"no {posixpath.basename(stem)}.txt beside it"
            )
        folder, name = posixpath.split(stem)
        name = unquote(name)  # our brat export percent-encodes what a file name cannot hold
        where = f"{source}/{stem}.txt"
        try:
            text = files[f"{stem}.txt"].decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRejected(
                where, None, None, f"not UTF-8 text ({error.reason} at byte {error.start})"
            ) from None
        annotator = _annotator(folder, stem, source, options)
        draft = drafts.get(name)
        if draft is None:
            draft = drafts[name] = DocumentDraft(name, text, where, None)
        elif draft.text != text:
            raise ImportRejected(where, None, None, f"another text than {draft.source}")
        if annotator is not None:
            draft.annotators[annotator] = "done"
        if f"{stem}.ann" in files:
            _read_ann(files[f"{stem}.ann"], f"{source}/{stem}.ann", annotator, draft, rules)
    for draft in drafts.values():
        yield draft.parsed(rules)


def _annotator(folder: str, stem: str, source: str, options: PeerOptions) -> str | None:
    reject = rejecter(f"{source}/{stem}.ann", None)
    name = unquote(posixpath.basename(folder)) if folder else options.annotator
    if name is None:
        raise reject(
            None,
            "whose annotations these are is unknown: put the pair in a folder named after the "
            "annotator (or gold/), or name the annotator (--annotator NAME)",
        )
    name = annotator_name(name, None, reject)
    return None if name == GOLD else name


def _read_ann(
    data: bytes, source: str, annotator: str | None, draft: DocumentDraft, rules: ImportRules
) -> None:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            source, None, None, f"not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    spans: dict[str, dict[str, Any]] = {}
    relations: list[tuple[int, str, str, str]] = []
    key_prefix = f"{annotator or GOLD}:"
    for number, line in enumerate(content.splitlines(), start=1):
        reject = rejecter(source, number)
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        kind = ident[:1]
        if kind == "T":
            spans[ident] = _text_bound(ident, rest, draft.text, rules, reject) | {"line": number}
        elif kind == "R":
            fields = rest.split("\t")[0].split()
            if (
                len(fields) != 3
                or not fields[1].startswith("Arg1:")
                or not (fields[2].startswith("Arg2:"))
            ):
                raise reject(ident, "expected 'TYPE Arg1:T1 Arg2:T2'")
            type_name = check_relation_type(fields[0], ident, rules, reject)
            relations.append((number, type_name, fields[1][5:], fields[2][5:]))
        elif kind in ("A", "M"):
            fields = rest.split(maxsplit=2)  # our values may hold spaces ("named person")
            if len(fields) not in (2, 3):
                raise reject(ident, "expected 'NAME T1 VALUE' (or 'NAME T1' for a binary one)")
            span = spans.get(fields[1])
            if span is None:
                raise reject(ident, f"{fields[1]!r} is not a span (T) defined above")
            span["attributes"][fields[0]] = fields[2].strip() if len(fields) == 3 else "true"
        elif kind == "#":
            head, _, note = rest.partition("\t")
            fields = head.split()
            if len(fields) != 2 or fields[0] != "AnnotatorNotes":
                raise reject(ident, "expected 'AnnotatorNotes T1<TAB>note'")
            span = spans.get(fields[1])
            if span is None:
                raise reject(ident, f"{fields[1]!r} is not a span (T) defined above")
            span["note"] = note
        else:
            what = {"E": "events", "N": "normalisations", "*": "equivalences"}.get(kind)
            reason = f"{what} cannot be imported" if what else "not a brat annotation line"
            raise reject(ident or None, reason)
    for ident, span in spans.items():
        draft.add_span(
            annotator,
            key_prefix + ident,
            span["label"],
            span["start"],
            span["end"],
            note=span.get("note", ""),
            attributes=span["attributes"] or None,
        )
    for number, type_name, source_id, target_id in relations:
        for end in (source_id, target_id):
            if end not in spans:
                raise rejecter(source, number)(None, f"{end!r} is not a span (T) of this file")
        draft.add_relation(annotator, type_name, key_prefix + source_id, key_prefix + target_id)


def _text_bound(
    ident: str, rest: str, text: str, rules: ImportRules, reject: Reject
) -> dict[str, Any]:
    head, _, quoted = rest.partition("\t")
    label, _, ranges = head.partition(" ")
    if ";" in ranges:
        raise reject(
            ident,
            f"discontinuous span ({ranges}) cannot be imported: a span here is one range; "
            "split it into separate spans in brat",
        )
    parts = ranges.split()
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise reject(ident, "expected 'LABEL START END<TAB>text'")
    start, end = int(parts[0]), int(parts[1])
    check_range(text, start, end, ident, reject)
    label = check_label(label, ident, rules, reject)
    # brat writes a span's text with its line breaks as spaces.
    if quoted and quoted != text[start:end] and quoted != _one_line(text[start:end]):
        raise reject(
            ident,
            f"{quoted!r} does not match the text at [{start}, {end}): {text[start:end]!r}",
        )
    return {"label": label, "start": start, "end": end, "attributes": {}}


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")
