"""Rules every layer shares (models, API, CLI, import): assignment statuses, the user-name rule,
lists of names as users type them, and how a count is worded. Pure: one home, so a change applies
everywhere at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: An annotator's status on a document: ``assigned`` by a manager and not yet taken, in progress,
#: done, ``skipped`` (given back: fills no place of k) or ``flagged`` (waiting for a manager).
STATUSES = ("assigned", "in_progress", "done", "skipped", "flagged")

#: A user name: letters, digits and ``.@+-_``, at most 80 characters. Imported annotators become
#: accounts, so the import checks the same rule.
USERNAME = re.compile(r"^[\w.@+-]{1,80}$")

#: What a source of the registry is (``Source.kind``, checked by the database too).
SOURCE_KINDS = ("person", "organisation", "outlet", "document", "other")


def parse_names(value: str | Iterable[str] | None) -> list[str]:
    """``"a,b"`` or ``["a", "b,c"]`` → ``["a", "b", "c"]``: blank parts dropped, first occurrence
    kept, order kept."""
    if value is None:
        return []
    parts = [value] if isinstance(value, str) else list(value)
    names = (name.strip() for part in parts for name in part.split(","))
    return list(dict.fromkeys(name for name in names if name))


def source_key(name: str) -> str:
    """A source's ``name_key``: its name in Unicode NFC, case-folded, with runs of spaces as one,
    so "Reuters" and " reuters " are one source of a project (``Source``'s unique key)."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def counted(count: int, word: str) -> str:
    """``1 document``, ``2 documents``: a count and its (regular) noun, as messages say them."""
    return f"{count} {word}{'' if count == 1 else 's'}"
