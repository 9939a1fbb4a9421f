"""The source registry's rules that need no database: a name's key, the checks of a source's
fields, and what a span payload's ``named_source`` asks for. Pure.

One source per name in a project, whoever types it: the key is the name with its spaces
collapsed and its case folded (``"  The  GUARDIAN "`` and ``"the guardian"`` are one source), so
a second annotator typing a name the first one created gets the same source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from annotator.errors import Refused
from annotator.rules import SOURCE_KINDS as KINDS
from annotator.rules import source_key as name_key

MAX_NAME = 200
MAX_URL = 2000
WIKIDATA = re.compile(r"^Q[1-9][0-9]{0,18}$")
SEARCH_LIMIT = 20


def clean_name(name: Any, field: str = "name") -> str:
    """The name as stored: Unicode NFC, surrounding spaces dropped, inner runs of white space
    one space. 1 to 200 characters, no control characters; else 422 naming ``field``."""
    if not isinstance(name, str):
        raise Refused(422, "a source's name must be text", field)
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise Refused(422, "a source needs a name", field)
    if len(name_key(cleaned)) > MAX_NAME or len(cleaned) > MAX_NAME:
        raise Refused(422, f"a source's name holds at most {MAX_NAME} characters", field)
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise Refused(422, "a source's name cannot hold control characters", field)
    return cleaned


def check_kind(kind: Any, field: str = "kind") -> str:
    if kind not in KINDS:
        raise Refused(422, f"a source's kind is one of {', '.join(KINDS)}, not {kind!r}", field)
    return str(kind)


def check_url(url: Any) -> str | None:
    """An http(s) address with a host, or None when empty."""
    text = str(url or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise Refused(
            422, f"url must start with http:// or https:// and name a host: {text!r}", "url"
        )
    if len(text) > MAX_URL or any(char.isspace() for char in text):
        raise Refused(422, f"url: at most {MAX_URL} characters, without spaces", "url")
    return text


def check_wikidata(value: Any) -> str | None:
    """A Wikidata item id like ``Q42`` (a lower-case q is taken), or None when empty."""
    text = str(value or "").strip().upper()
    if not text:
        return None
    if not WIKIDATA.match(text):
        raise Refused(422, f"wikidata must be an item id like Q42, not {value!r}", "wikidata")
    return text


@dataclass(frozen=True)
class SourceChoice:
    """What a span payload's ``named_source`` asks for: the source ``id`` (picked from the
    suggestions), or a ``name`` to find or create (typed, perhaps offline: the name is its own
    idempotency key), or neither: the span names no source."""

    id: int | None = None
    name: str | None = None
    kind: str = "person"

    @property
    def clears(self) -> bool:
        return self.id is None and self.name is None


CLEAR = SourceChoice()


def parse_choice(value: Any) -> SourceChoice:
    """``named_source`` of a span payload: null (no source), ``{"id": 7}``, or
    ``{"name": "Reuters", "kind": "outlet"}`` (kind optional, person by default). An id and a
    name together: the id (the name is what the page showed)."""
    field = "named_source"
    if value is None:
        return CLEAR
    if not isinstance(value, dict):
        raise Refused(422, 'named_source: null, {"id": n} or {"name": "…", "kind": "…"}', field)
    source_id = value.get("id")
    if source_id is not None and (isinstance(source_id, bool) or not isinstance(source_id, int)):
        raise Refused(422, "named_source: id must be a whole number", field)
    name = value.get("name")
    if source_id is None and name is None:
        raise Refused(422, "named_source: give the source's id or its name", field)
    kind = value.get("kind") or "person"
    return SourceChoice(
        id=source_id,
        name=None if name is None else clean_name(name, field),
        kind=check_kind(kind, field),
    )


def like_pattern(text: str) -> str:
    """``text`` for a SQL LIKE with ``\\`` as the escape character: % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
