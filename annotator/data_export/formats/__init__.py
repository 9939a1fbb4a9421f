"""Export formats: turn one native document record into JSON-serialisable lines.

Pure, no Flask and no database: the database layer builds the record, the CLI and the web
download pick a function from ``FORMATS`` and write each returned dict with
`record.dumps_line`. One module per format (``native``, ``doccano``, ``prodigy``, ``w3c``), the
dataset card in ``card``, and what they share (the record, ordering, filtering, the JSONL line)
in ``record``. The token-level and binary formats (CoNLL, spaCy, Parquet, brat, Label Studio)
are in `annotator.data_export.files`.

Offsets are Unicode code points, half-open ``[start, end)``, except doccano's (UTF-16 by
default). Relations between spans and span attribute values are written only where there are
some: a project that uses neither exports exactly what it did before they existed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annotator.data_export.formats.doccano import doccano_lines
from annotator.data_export.formats.native import native_lines
from annotator.data_export.formats.prodigy import prodigy_lines
from annotator.data_export.formats.record import Record
from annotator.data_export.formats.w3c import w3c_lines

LineWriter = Callable[..., list[dict[str, Any]]]
"""``function(record, **options)`` -> the record's lines (see `FORMATS`)."""

FORMATS: dict[str, LineWriter] = {
    "native": native_lines,
    "doccano": doccano_lines,
    "prodigy": prodigy_lines,
    "w3c": w3c_lines,
}
"""Format name -> ``function(record, **options)``. Every function takes ``include_gold``;
``w3c`` also needs ``base_uri``; ``doccano`` also takes ``offsets``."""

__all__ = ["FORMATS", "LineWriter", "Record"]
