"""Which format an import file is in, told from its content, and the parser that reads it. Pure.

``.txt`` and ``.html`` files are documents of their own, as before. Any other file is looked at:

- a zip (or, on the command line, a folder): brat when it holds ``.ann`` files; our W3C export
  when it holds W3C annotations in JSONL, whose documents' texts are its ``.txt`` files; else
  each of its ``.jsonl`` / ``.json`` files is read as a file of its own (doccano's export zip holds
  one ``<user name>.jsonl`` per annotator, so there the file's name is the annotator's);
- a JSON array: Label Studio's JSON export;
- JSON Lines, by the keys of the first object: ``type: Annotation`` is W3C, ``data`` with
  ``annotations`` is a Label Studio task, ``spans`` / ``answer`` / ``_input_hash`` are Prodigy,
  ``label`` / ``labels`` / ``entities`` without ``annotations`` are doccano; anything else is our
  native format (which names what is wrong with it).

``format`` overrides the guess (``annotator import --format``, the import page's choice).
"""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import chain

import orjson

from annotator.data_import import brat, doccano, label_studio, prodigy, w3c
from annotator.data_import.parsers import (
    ImportedDocument,
    ImportedSource,
    ImportRules,
    parse_file,
    parse_jsonl,
)
from annotator.data_import.peers import PeerOptions
from annotator.errors import ImportRejected

FORMATS = ("native", "label-studio", "doccano", "prodigy", "brat", "w3c")
"""What ``--format`` accepts; without it the format is detected."""
MAX_BUNDLE_BYTES = 1 << 30
"""A zip or folder may hold this much once unpacked, at most (a zip bomb is refused)."""


@dataclass(frozen=True)
class Bundle:
    """Files of a folder (or an unpacked zip): path with ``/`` -> content."""

    files: Mapping[str, bytes]


Content = Iterable[bytes] | bytes | Bundle


def parse_import(
    files: Iterable[tuple[str, Content]],
    rules: ImportRules,
    *,
    format: str | None = None,
    options: PeerOptions | None = None,
    empty: list[str] | None = None,
) -> Iterator[ImportedDocument]:
    """Parse several files as one import: a document id may appear only once across them.

    The names of files holding no document (empty, or only blank lines) are added to ``empty``
    so the summary can say so; without that list, such a file is refused.
    """
    if format is not None and format not in FORMATS:
        raise ImportRejected("--format", None, None, f"expected one of {', '.join(FORMATS)}")
    options = options or PeerOptions()
    seen: dict[str, str] = {}
    listed: dict[str, tuple[ImportedSource, str]] = {}
    for source, content in files:
        found = 0
        for document in parse_one(source, content, rules, format, options):
            found += 1
            if document.external_id in seen:
                raise ImportRejected(
                    source,
                    document.line,
                    "id",
                    f"duplicate id {document.external_id!r} "
                    f"(already in {seen[document.external_id]})",
                )
            where = source if document.line is None else f"{source}, line {document.line}"
            seen[document.external_id] = where
            _check_sources_agree(document, source, where, listed)
            yield document
        if not found:
            if empty is None:
                raise ImportRejected(
                    source, None, None, "held no documents (the file is empty or only blank lines)"
                )
            empty.append(source)


def _check_sources_agree(
    document: ImportedDocument,
    source: str,
    where: str,
    listed: dict[str, tuple[ImportedSource, str]],
) -> None:
    """A source listed by several lines (each line lists the sources its spans name) must be
    the same source in each: the same name, kind, URL and Wikidata id."""
    for index, (key, item) in enumerate(document.sources.items()):
        first = listed.setdefault(key, (item, where))
        if first[0] != item:
            raise ImportRejected(
                source,
                document.line,
                f"sources[{index}]",
                f"{item.name!r} differs from the same source in {first[1]} "
                "(its name, kind, url and wikidata must agree)",
            )


def parse_one(
    source: str, content: Content, rules: ImportRules, format: str | None, options: PeerOptions
) -> Iterator[ImportedDocument]:
    if isinstance(content, Bundle):
        yield from _bundle(content.files, source, rules, format, options)
        return
    extension = os.path.splitext(source)[1].lower()
    if extension in (".txt", ".html", ".htm"):
        yield from parse_file(content, source, rules)
        return
    if extension not in (".jsonl", ".ndjson", ".json", ".zip"):
        raise ImportRejected(
            source,
            None,
            None,
            "unknown file type (expected .jsonl, .ndjson, .json, .zip, .txt, .html or .htm)",
        )
    lines = iter(content.split(b"\n") if isinstance(content, bytes) else content)
    head: list[bytes] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    first = head[-1] if head else b""
    if first.startswith(b"PK\x03\x04"):
        data = b"".join(chain(head, lines)) if not isinstance(content, bytes) else content
        yield from _bundle(_unzip(data, source), source, rules, format, options)
        return
    chosen = format or detect(first)
    all_lines = chain(head, lines)
    if chosen == "native":
        yield from parse_jsonl(all_lines, source, rules)
    elif chosen == "label-studio":
        data = content if isinstance(content, bytes) else b"".join(all_lines)
        if first.lstrip(b"\xef\xbb\xbf \t\r").startswith(b"{"):
            data = _jsonl_as_array(data)
        yield from label_studio.parse_label_studio(data, source, rules)
    elif chosen == "doccano":
        yield from doccano.parse_doccano(all_lines, source, rules, options)
    elif chosen == "prodigy":
        yield from prodigy.parse_prodigy(all_lines, source, rules, options)
    elif chosen == "w3c":
        raise ImportRejected(
            source,
            None,
            None,
            "W3C annotations carry no text: import them in a zip (or folder) together with "
            "the documents' texts as <document id>.txt",
        )
    else:  # brat
        raise ImportRejected(
            source, None, None, "brat files come in pairs: import a zip (or folder) of .txt + .ann"
        )


def _jsonl_as_array(data: bytes) -> bytes:
    """One task a line as a JSON array, each task still on its own line (errors name it)."""
    lines = data.split(b"\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    return (
        b"["
        + b"\n".join(
            line + b"," if line.strip() and i != last else line for i, line in enumerate(lines)
        )
        + b"]"
    )


def detect(first_line: bytes) -> str:
    """The format of a JSON(L) file from its first non-blank line."""
    stripped = first_line.lstrip(b"\xef\xbb\xbf \t\r")
    if stripped.startswith(b"["):
        return "label-studio"
    try:
        value = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return "native"
    if not isinstance(value, dict):
        return "native"
    if value.get("type") == "Annotation" or "@context" in value:
        return "w3c"
    if isinstance(value.get("data"), dict) and ("annotations" in value or "predictions" in value):
        return "label-studio"
    if "spans" in value or "answer" in value or "_input_hash" in value:
        return "prodigy"
    if "annotations" not in value and any(key in value for key in ("label", "labels", "entities")):
        return "doccano"
    return "native"


def _unzip(data: bytes, source: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportRejected(source, None, None, f"not a readable zip file ({error})") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in members) > MAX_BUNDLE_BYTES:
            raise ImportRejected(
                source, None, None, f"unpacks to more than {MAX_BUNDLE_BYTES} bytes"
            )
        files = {}
        for info in members:
            name = info.filename.replace("\\", "/")
            if name.startswith("__MACOSX/") or posixpath.basename(name).startswith("."):
                continue  # what macOS's Finder adds to a zip
            try:
                files[name] = archive.read(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as error:
                where = f"{source}/{name}"
                raise ImportRejected(where, None, None, f"unreadable ({error})") from None
    return files


def _bundle(
    files: Mapping[str, bytes],
    source: str,
    rules: ImportRules,
    format: str | None,
    options: PeerOptions,
) -> Iterator[ImportedDocument]:
    names = sorted(files)
    if format == "brat" or (format is None and any(name.endswith(".ann") for name in names)):
        yield from brat.parse_brat(files, source, rules, options)
        return
    data_files = [name for name in names if name.lower().endswith((".jsonl", ".ndjson", ".json"))]
    annotations = [name for name in data_files if (format or _detect_data(files[name])) == "w3c"]
    if annotations:
        texts = w3c.texts_from((name, files[name]) for name in names if name.endswith(".txt"))
        used: set[str] = set()
        for name in annotations:
            for document in w3c.parse_w3c(
                files[name].split(b"\n"), f"{source}/{name}", rules, texts
            ):
                used.add(document.external_id)
                yield document
        for name in names:
            if name.endswith(".txt") and posixpath.basename(name)[:-4] not in used:
                yield from parse_file(files[name], f"{source}/{name}", rules)
        return

    def inner(name: str) -> PeerOptions:
        stem = posixpath.splitext(posixpath.basename(name))[0]
        return options if options.annotator else replace(options, annotator=stem)

    kinds = {name: format or _detect_data(files[name]) for name in data_files}
    together = [name for name in data_files if kinds[name] == "doccano"]
    if together:
        members = [(f"{source}/{name}", files[name].split(b"\n"), inner(name)) for name in together]
        yield from doccano.parse_doccano_files(members, rules)
    for name in names:
        member = f"{source}/{name}"
        if name.lower().endswith((".txt", ".html", ".htm")):
            yield from parse_file(files[name], member, rules)
        elif name in data_files and name not in together:
            yield from parse_one(member, files[name], rules, format, inner(name))


def _detect_data(data: bytes) -> str:
    for line in data.split(b"\n"):
        if line.strip():
            return detect(line)
    return "native"


def folder(path: str) -> Bundle:
    """A folder's files (recursively) as a bundle, for ``annotator import DIR``."""
    files = {}
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(root, name)
            total += os.path.getsize(full)
            if total > MAX_BUNDLE_BYTES:
                raise ImportRejected(path, None, None, f"holds more than {MAX_BUNDLE_BYTES} bytes")
            with open(full, "rb") as handle:
                files[os.path.relpath(full, path).replace(os.sep, "/")] = handle.read()
    return Bundle(files)
