"""Exports that are whole files rather than one JSON line per item: CoNLL token tags, a brat
standoff zip, Label Studio's JSON array, spaCy's ``DocBin`` and Parquet for Hugging Face
``datasets``. Pure: native records in (``formats.record`` module docstring), bytes out,
streaming where the format allows it (all but ``DocBin``, which spaCy serialises whole).

Each layer of a document is written on its own: every annotator's spans, and the gold spans as
annotator ``"gold"``, as the doccano and Prodigy exports do.

spaCy and pyarrow are not needed to run the app: the exports that need them import them when
they run and otherwise say how to install them (``pip install annotator[nlp]``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson

from annotator.annotation.value_types import show
from annotator.data_export.formats.record import (
    GOLD,
    Record,
    annotation_relations_of,
    gold_relations_of,
    gold_spans,
    span_text,
    spans_by_annotator,
)
from annotator.data_export.tokens import TOKENISATION, tokenize
from annotator.errors import Invalid

NLP_EXTRA = "pip install 'annotator[nlp]'"


def layers(record: Record) -> list[tuple[str, list[Mapping[str, Any]], list[Mapping[str, Any]]]]:
    """``(annotator or "gold", spans, links)`` of a record: annotators by name, then gold."""
    relations = annotation_relations_of(record)
    out = [
        (name, spans, [link for link in relations if link["annotator"] == name])
        for name, spans in spans_by_annotator(record).items()
    ]
    gold = gold_spans(record, True)
    if gold:
        out.append((GOLD, gold, gold_relations_of(record, True)))
    return out


# --- CoNLL -------------------------------------------------------------------------------------

SCHEMES = ("bio", "bilou")


@dataclass(frozen=True)
class LeftOut:
    """A span the token tags cannot hold, and why; written as a comment, never moved."""

    annotator: str
    label: str
    start: int
    end: int
    text: str
    reason: str

    def comment(self) -> str:
        return (
            f"# left out: {self.annotator} {self.label} [{self.start}, {self.end}) "
            f"{self.text!r}: {self.reason}"
        )


def conll_tags(
    text: str, spans: Iterable[Mapping[str, Any]], scheme: str = "bio"
) -> tuple[list[list[tuple[str, str]]], list[tuple[Mapping[str, Any], str]]]:
    """Blocks of ``(token, tag)`` for one layer's spans, and the spans left out with why.

    A span is tagged when it starts and ends on token edges; one that cuts a token is left out
    (moving it to the token's edges would change what was annotated), and so is one that
    overlaps a span already tagged (tags hold one span per token; spans are taken by start,
    longer first).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}")
    blocks = tokenize(text)
    starts = {start: (b, i) for b, block in enumerate(blocks) for i, (start, _) in enumerate(block)}
    ends = {end: (b, i) for b, block in enumerate(blocks) for i, (_, end) in enumerate(block)}
    tags = [["O"] * len(block) for block in blocks]
    left_out: list[tuple[Mapping[str, Any], str]] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"], s["label"])):
        first, last = starts.get(span["start"]), ends.get(span["end"])
        if first is None or last is None:
            left_out.append((span, "it starts or ends inside a token"))
            continue
        if first[0] != last[0]:
            left_out.append((span, "it runs over a line break (a block here is a line)"))
            continue
        block, begin, finish = first[0], first[1], last[1]
        if any(tag != "O" for tag in tags[block][begin : finish + 1]):
            left_out.append((span, "it overlaps a span tagged before it"))
            continue
        label = span["label"]
        for index in range(begin, finish + 1):
            if scheme == "bilou" and begin == finish:
                tag = "U"
            elif index == begin:
                tag = "B"
            elif scheme == "bilou" and index == finish:
                tag = "L"
            else:
                tag = "I"
            tags[block][index] = f"{tag}-{label}"
    out = [
        [(text[start:end], tag) for (start, end), tag in zip(block, block_tags, strict=True)]
        for block, block_tags in zip(blocks, tags, strict=True)
    ]
    return out, left_out


def conll_chunks(records: Iterable[Record], scheme: str = "bio") -> Iterator[bytes]:
    """CoNLL-2003 style: ``token TAG`` per line, a blank line between blocks (lines of the text).

    Each layer starts with ``-DOCSTART- -X- -X- O`` and comment lines (``#``, as in CoNLL-U)
    naming the document, the annotator and the tokenisation, then one comment per span left out.
    Tokens never hold whitespace, so a space separates the columns.
    """
    yield f"# tokenisation: {TOKENISATION}\n# scheme: {scheme.upper()}\n\n".encode()
    for record in records:
        text = record["text"]
        parts = []
        for annotator, spans, _links in layers(record):
            blocks, left_out = conll_tags(text, spans, scheme)
            parts.append("-DOCSTART- -X- -X- O\n")
            parts.append(f"# document: {record['id']}\n# annotator: {annotator}\n")
            for span, reason in left_out:
                item = LeftOut(
                    annotator,
                    span["label"],
                    span["start"],
                    span["end"],
                    span_text(text, span),
                    reason,
                )
                parts.append(item.comment().replace("\n", "\\n") + "\n")
            parts.append("\n")
            for block in blocks:
                parts.append("".join(f"{token} {tag}\n" for token, tag in block) + "\n")
        yield "".join(parts).encode()


# --- brat --------------------------------------------------------------------------------------


def brat_name(value: str) -> str:
    """A document id or annotator name as a file or folder name (percent-encoded where unsafe);
    the brat import decodes it."""
    encoded = quote(value, safe=" -_.,()@+=")
    return "%2E" + encoded[1:] if encoded.startswith(".") else encoded


def brat_ann(text: str, spans: list[Mapping[str, Any]], links: list[Mapping[str, Any]]) -> str:
    """One layer of a document as a brat ``.ann``: T, A, # (notes) and R lines."""
    lines, numbers = [], {}
    attribute = note = 0
    for index, span in enumerate(sorted(spans, key=lambda s: (s["start"], s["end"], s["label"]))):
        ident = f"T{index + 1}"
        numbers[span["id"]] = ident
        quoted = span_text(text, span).replace("\r", " ").replace("\n", " ")
        lines.append(f"{ident}\t{span['label']} {span['start']} {span['end']}\t{quoted}")
        for name, value in sorted((span.get("attributes") or {}).items()):
            attribute += 1
            lines.append(f"A{attribute}\t{name} {ident} {show(value)}")
        if span.get("note"):
            note += 1
            flat = " ".join(span["note"].split())
            lines.append(f"#{note}\tAnnotatorNotes {ident}\t{flat}")
    for index, link in enumerate(links):
        source, target = numbers[link["source"]], numbers[link["target"]]
        lines.append(f"R{index + 1}\t{link['type']} Arg1:{source} Arg2:{target}\t")
    return "".join(line + "\n" for line in lines)


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come: a zip written to it streams."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def brat_zip_chunks(records: Iterable[Record]) -> Iterator[bytes]:
    """A zip of ``<annotator>/<document id>.txt`` + ``.ann`` per layer (``gold/`` for gold) and an
    ``annotation.conf`` naming the labels, relation types and attributes used."""
    sink = _Sink()
    labels: set[str] = set()
    types: dict[str, set[tuple[str, str]]] = {}
    attributes: dict[str, set[str]] = {}
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            text = record["text"]
            name = brat_name(str(record["id"]))
            for annotator, spans, links in layers(record):
                folder = brat_name(annotator)
                archive.writestr(f"{folder}/{name}.txt", text.encode())
                archive.writestr(f"{folder}/{name}.ann", brat_ann(text, spans, links).encode())
                labels.update(span["label"] for span in spans)
                by_id = {span["id"]: span for span in spans}
                for link in links:
                    ends = (by_id[link["source"]]["label"], by_id[link["target"]]["label"])
                    types.setdefault(link["type"], set()).add(ends)
                for span in spans:
                    for key in span.get("attributes") or {}:
                        attributes.setdefault(key, set()).add(span["label"])
            yield sink.take()
        archive.writestr("annotation.conf", _brat_conf(labels, types, attributes))
    yield sink.take()


def _brat_conf(
    labels: set[str], types: dict[str, set[tuple[str, str]]], attributes: dict[str, set[str]]
) -> str:
    lines = ["[entities]", *sorted(labels), "", "[relations]"]
    for name, ends in sorted(types.items()):
        sources = "|".join(sorted({source for source, _ in ends}))
        targets = "|".join(sorted({target for _, target in ends}))
        lines.append(f"{name}\tArg1:{sources}, Arg2:{targets}")
    lines += ["", "[events]", "", "[attributes]"]
    lines += [f"{name}\tArg:{'|'.join(sorted(on))}" for name, on in sorted(attributes.items())]
    return "\n".join(lines) + "\n"


# --- Label Studio ------------------------------------------------------------------------------


def label_studio_task(record: Record) -> dict[str, Any]:
    """One document as a Label Studio task with one annotation per layer (gold: ground truth).

    Label Studio's own export names annotators by numeric user id (``completed_by``); ours names
    them by ``annotator`` (Label Studio ignores the key; our import reads it) and leaves
    ``completed_by`` out, so Label Studio gives an imported annotation to whoever imports it.
    Offsets are code points, as Label Studio stores them. Links are ``relation`` results;
    notes, attribute values and link values have no place here and are left out.
    """
    text = record["text"]
    data: dict[str, Any] = {"text": text, "id": record["id"]}
    for key in ("title", "url"):
        if record.get(key) is not None:
            data[key] = record[key]
    if record.get("meta"):
        data["meta"] = record["meta"]
    annotations = []
    for annotator, spans, links in layers(record):
        result: list[dict[str, Any]] = [
            {
                "value": {
                    "start": span["start"],
                    "end": span["end"],
                    "text": span_text(text, span),
                    "labels": [span["label"]],
                },
                "id": str(span["id"]),
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
            }
            for span in spans
        ]
        result += [
            {
                "from_id": str(link["source"]),
                "to_id": str(link["target"]),
                "type": "relation",
                "direction": "right",
                "labels": [link["type"]],
            }
            for link in links
        ]
        entry: dict[str, Any] = {"result": result, "was_cancelled": False}
        if annotator == GOLD:
            entry["ground_truth"] = True
        else:
            entry |= {"ground_truth": False, "annotator": annotator}
        annotations.append(entry)
    return {"data": data, "annotations": annotations, "predictions": []}


def label_studio_chunks(records: Iterable[Record]) -> Iterator[bytes]:
    """A JSON array of tasks, one task a line, streaming."""
    first = True
    yield b"[\n"
    for record in records:
        yield (b"" if first else b",\n") + orjson.dumps(label_studio_task(record))
        first = False
    yield b"\n]\n"


# --- spaCy DocBin ------------------------------------------------------------------------------


def spacy_doc(
    nlp: Any,
    text: str,
    spans: list[Mapping[str, Any]],
    links: list[Mapping[str, Any]],
    key: str = "sc",
) -> Any:
    """One layer as a spaCy ``Doc`` tokenised as the CoNLL export is (``tokens``), so that every
    span on token edges is a ``Span``; ``doc.text`` is the text exactly (whitespace other than one
    space after a token becomes whitespace tokens, as spaCy's own tokenizer makes them).

    All spans go to ``doc.spans[key]`` (overlaps allowed); ``doc.ents`` holds them too when none
    overlap. Spans that cut a token are left out and listed in ``doc.user_data["left_out"]``;
    links are ``doc.user_data["relations"]``: ``[source index, target index, type]`` into
    ``doc.spans[key]``.
    """
    from spacy.tokens import Doc

    words: list[str] = []
    after: list[bool] = []
    position = 0
    for block in tokenize(text):
        for start, end in block:
            _gap(text[position:start], words, after)
            words.append(text[start:end])
            after.append(False)
            position = end
    _gap(text[position:], words, after)
    doc = Doc(nlp.vocab, words=words, spaces=after)
    kept: list[Any] = []
    index: dict[Any, int] = {}
    left_out: list[list[Any]] = []
    for span in sorted(spans, key=lambda s: (s["start"], s["end"], s["label"])):
        made = doc.char_span(span["start"], span["end"], label=span["label"])
        if made is None:
            left_out.append([span["start"], span["end"], span["label"]])
            continue
        index[span["id"]] = len(kept)
        kept.append(made)
    doc.spans[key] = kept
    ordered = sorted(kept, key=lambda s: (s.start, s.end))
    if all(a.end <= b.start for a, b in zip(ordered, ordered[1:], strict=False)):
        doc.ents = ordered
    doc.user_data["left_out"] = left_out
    doc.user_data["relations"] = [
        [index[link["source"]], index[link["target"]], link["type"]]
        for link in links
        if link["source"] in index and link["target"] in index
    ]
    return doc


def _gap(gap: str, words: list[str], after: list[bool]) -> None:
    """Whitespace between two tokens: one space rides on the token before, the rest is a token."""
    if not gap:
        return
    if gap.startswith(" ") and after and not after[-1]:
        after[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        after.append(False)


def spacy_chunks(records: Iterable[Record]) -> Iterator[bytes]:
    """A ``.spacy`` file (``DocBin``) of one ``Doc`` per document and layer, the document id and
    annotator (``gold`` for the gold layer) in ``doc.user_data``. spaCy writes it whole."""
    spacy = needs("spacy", "spacy")
    from spacy.tokens import DocBin

    nlp = spacy.blank("xx")
    bin_ = DocBin(store_user_data=True)
    for record in records:
        for annotator, spans, links in layers(record):
            doc = spacy_doc(nlp, record["text"], spans, links)
            doc.user_data["id"] = str(record["id"])
            doc.user_data["annotator"] = annotator
            bin_.add(doc)
    yield bin_.to_bytes()


# --- Parquet for Hugging Face datasets ---------------------------------------------------------

PARQUET_CARD = """---
configs:
- config_name: default
  data_files:
  - split: annotations
    path: data/annotations.parquet
  - split: gold
    path: data/gold.parquet
---
# Annotated spans

One row per document and annotator (split `annotations`) and one per document with gold spans
(split `gold`). Offsets are Unicode code points, half-open: `text[start:end]` is the span.
`relations` name their spans by index in the row's `spans`. `meta` is the document's meta as JSON.

```python
from datasets import load_dataset
splits = load_dataset("parquet", data_files={"annotations": "data/annotations.parquet",
                                             "gold": "data/gold.parquet"})
```
"""


def parquet_schema(pa: Any) -> Any:
    span = pa.struct(
        [
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("label", pa.string()),
            ("text", pa.string()),
            ("note", pa.string()),
            ("attributes", pa.list_(pa.struct([("name", pa.string()), ("value", pa.string())]))),
        ]
    )
    relation = pa.struct(
        [
            ("source", pa.int32()),
            ("target", pa.int32()),
            ("type", pa.string()),
            ("value", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("id", pa.string()),
            ("annotator", pa.string()),
            ("title", pa.string()),
            ("url", pa.string()),
            ("meta", pa.string()),
            ("text", pa.string()),
            ("spans", pa.list_(span)),
            ("relations", pa.list_(relation)),
        ]
    )


def parquet_row(
    record: Record,
    annotator: str,
    spans: list[Mapping[str, Any]],
    links: list[Mapping[str, Any]],
) -> dict[str, Any]:
    text = record["text"]
    ordered = sorted(spans, key=lambda s: (s["start"], s["end"], s["label"]))
    index = {span["id"]: position for position, span in enumerate(ordered)}
    return {
        "id": str(record["id"]),
        "annotator": annotator,
        "title": record.get("title"),
        "url": record.get("url"),
        "meta": orjson.dumps(record.get("meta") or {}, option=orjson.OPT_SORT_KEYS).decode(),
        "text": text,
        "spans": [
            {
                "start": span["start"],
                "end": span["end"],
                "label": span["label"],
                "text": span_text(text, span),
                "note": span.get("note") or "",
                "attributes": [
                    {"name": name, "value": value}
                    for name, value in sorted((span.get("attributes") or {}).items())
                ],
            }
            for span in ordered
        ],
        "relations": [
            {
                "source": index[link["source"]],
                "target": index[link["target"]],
                "type": link["type"],
                "value": link.get("value"),
            }
            for link in links
        ],
    }


def parquet_chunks(records: Iterable[Record], batch: int = 1000) -> Iterator[bytes]:
    """A zip of ``data/annotations.parquet``, ``data/gold.parquet`` and a ``README.md`` whose
    header tells ``datasets`` the two splits. Rows are written in row groups of ``batch``; the
    two Parquet files are held in memory until the zip is written."""
    pa = needs("pyarrow", "parquet")
    import pyarrow.parquet as pq

    schema = parquet_schema(pa)
    buffers = {"annotations": io.BytesIO(), "gold": io.BytesIO()}
    writers = {name: pq.ParquetWriter(sink, schema) for name, sink in buffers.items()}
    rows: dict[str, list[dict[str, Any]]] = {"annotations": [], "gold": []}

    def flush(name: str) -> None:
        if rows[name]:
            writers[name].write_table(pa.Table.from_pylist(rows[name], schema=schema))
            rows[name] = []

    for record in records:
        for annotator, spans, links in layers(record):
            split = "gold" if annotator == GOLD else "annotations"
            rows[split].append(parquet_row(record, annotator, spans, links))
            if len(rows[split]) >= batch:
                flush(split)
    for name, writer in writers.items():
        flush(name)
        writer.close()
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", PARQUET_CARD)
        for name, buffer in buffers.items():
            archive.writestr(f"data/{name}.parquet", buffer.getvalue())
    yield sink.take()


# --- registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFormat:
    write: Callable[..., Iterator[bytes]]
    extension: str
    mimetype: str
    requires: tuple[str, ...] = ()
    """Optional libraries the writer imports (the ``nlp`` extra)."""

    def check(self, name: str) -> None:
        """:class:`Invalid` saying how to install what is missing, before anything is written."""
        for module in self.requires:
            needs(module, name)


FILE_FORMATS: dict[str, FileFormat] = {
    "conll": FileFormat(conll_chunks, "conll", "text/plain; charset=utf-8"),
    "brat": FileFormat(brat_zip_chunks, "zip", "application/zip"),
    "label-studio": FileFormat(label_studio_chunks, "json", "application/json"),
    "spacy": FileFormat(spacy_chunks, "spacy", "application/octet-stream", ("spacy",)),
    "parquet": FileFormat(parquet_chunks, "zip", "application/zip", ("pyarrow",)),
}
"""Format name -> writer of ``records`` (an iterable) to bytes, its file extension and type."""


def needs(module: str, format_name: str) -> Any:
    """Import an optional library, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise Invalid(
            f"the {format_name} export needs {module}, which is not installed: {NLP_EXTRA}"
        ) from None
