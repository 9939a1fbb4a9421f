"""The rule recommender: attribution and quoted claims found by patterns, from zero data.

Three rules, each a pass of one compiled regular expression over the text:

- a reporting verb from the lexicon with its speaker before it in the same clause
  (*the port authority said*) or, inverted, after it (*said Maria Okafor*) → ``attribution``;
- an "according to" phrase with the source after it (*according to Reuters*) → ``attribution``;
- a quotation whose neighbouring clause has a reporting verb (*"…," said X*; *X said: "…"*) →
  its words as ``claim``, when the project has that label.

Offsets are code points, half-open, into ``text``; no suggestion starts or ends inside a
user-perceived character (an accent stays with its letter, see ``offsets.inside_cluster``). Pure:
no Flask, no database.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from annotator.offsets import inside_cluster

RECOMMENDER = "rules"
MAX_SPEAKER_WORDS = 6
MAX_SOURCE_WORDS = 15
# Letters with the combining marks that belong to them (Latin accents, Arabic harakat).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u20d0-\u20ff"
_WORD = re.compile(rf"(?:\w|[{_MARKS}])+(?:['’.\-](?:\w|[{_MARKS}])+)*")
# Where a clause ends: a speaker or a source never runs across these.
_CLAUSE_END = re.compile(r"[,.;:!?\"“”„«»()\[\]\n—–،؛؟]")
_QUOTE = re.compile(r"[\"“„«]([^\"“”„«»\n]{2,}?)[\"”“»]")


@dataclass(frozen=True)
class Suggestion:
    """A proposed span: ``label`` by name, ``[start, end)`` in code points, ``score`` in (0, 1]."""

    label: str
    start: int
    end: int
    score: float
    recommender: str = RECOMMENDER


@dataclass(frozen=True)
class Lexicon:
    verbs: tuple[str, ...]
    according: tuple[str, ...]


class LexiconError(ValueError):
    """A lexicon text that cannot be used (the message names the line)."""


def parse_lexicon(text: str) -> Lexicon:
    """Read a lexicon: ``[verbs]`` and ``[according]`` sections, one form per line, ``#``
    comments. Raises :class:`LexiconError` naming the first bad line."""
    sections: dict[str, list[str]] = {"verbs": [], "according": []}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            name = line.strip("[]").strip().lower()
            if name not in sections or not line.endswith("]"):
                raise LexiconError(
                    f"line {number}: unknown section {line!r} (expected [verbs] or [according])"
                )
            current = name
            continue
        if current is None:
            raise LexiconError(f"line {number}: {line!r} comes before any [verbs] or [according]")
        if not _WORD.fullmatch(line.replace(" ", "a")) and not all(
            _WORD.fullmatch(part) for part in line.split()
        ):
            raise LexiconError(f"line {number}: {line!r} is not a word or words")
        sections[current].append(" ".join(line.split()))
    return Lexicon(tuple(sections["verbs"]), tuple(sections["according"]))


def default_lexicon_text() -> str:
    """The lexicon shipped in the package (``annotator/suggestions/lexicon.txt``)."""
    return resources.files(__package__).joinpath("lexicon.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=32)
def _index(forms: tuple[str, ...]) -> dict[str, list[re.Pattern[str]]]:
    """Lexicon forms by their first word (lower case): each a pattern matching the whole form
    from that word on, longest first. Looking words up keeps a pass over the text linear."""
    boundary = rf"(?:\w|[{_MARKS}])"
    index: dict[str, list[re.Pattern[str]]] = {}
    for form in sorted(forms, key=len, reverse=True):
        words = form.split()
        body = r"\s+".join(re.escape(word) for word in words)
        index.setdefault(words[0].lower(), []).append(
            re.compile(rf"{body}(?!{boundary})", re.IGNORECASE)
        )
    return index


def _occurrences(
    text: str, words: list[tuple[int, int]], forms: tuple[str, ...]
) -> Iterator[tuple[int, int]]:
    """Where the lexicon's ``forms`` occur as whole words, in text order."""
    index = _index(forms)
    if not index:
        return
    for start, end in words:
        for pattern in index.get(text[start:end].lower(), ()):
            match = pattern.match(text, start)
            if match is not None:
                yield start, match.end()
                break


def suggest(text: str, labels: list[str], lexicon: Lexicon) -> list[Suggestion]:
    """Suggestions for ``text`` among ``labels`` (names; matched case-insensitively, the
    project's spelling returned), in text order, each label and range once."""
    names = {name.lower(): name for name in labels}
    found: dict[tuple[str, int, int], Suggestion] = {}

    def add(label: str, start: int, end: int, score: float) -> None:
        name = names.get(label)
        if name is None:
            return
        start, end = _whole_characters(text, start, end)
        if 0 <= start < end <= len(text) and (name, start, end) not in found:
            found[(name, start, end)] = Suggestion(name, start, end, round(score, 3))

    words = [(match.start(), match.end()) for match in _WORD.finditer(text)]
    reported: list[tuple[int, int]] = []  # clauses with a reporting verb, for the quote rule
    for start, end in _occurrences(text, words, lexicon.verbs):
        span = _attribution(text, start, end)
        if span is not None:
            add("attribution", *span)
            reported.append((span[0], span[1]))
    for start, end in _occurrences(text, words, lexicon.according):
        source = _words_after(text, end, MAX_SOURCE_WORDS)
        if source:
            add("attribution", start, source[-1][1], 0.8)
    reported.sort()
    ends = sorted(span_end for _start, span_end in reported)
    if "claim" in names:
        for quote in _QUOTE.finditer(text):
            if _reported_nearby(text, quote.start(), quote.end(), reported, ends):
                inner = _trim(text, quote.start(1), quote.end(1))
                if inner is not None:
                    add("claim", *inner, 0.6)
    return sorted(found.values(), key=lambda item: (item.start, -item.end, item.label))


def _attribution(text: str, start: int, end: int) -> tuple[int, int, float] | None:
    """The speaker with the verb at ``[start, end)``: before it in its clause, else after it."""
    before = _words_before(text, start, MAX_SPEAKER_WORDS + 1)
    if 0 < len(before) <= MAX_SPEAKER_WORDS:
        return before[0][0], end, 0.7 if len(before) <= 4 else 0.5
    # inverted only after a quotation or a comma: '"…," said X', not 'he said the date was'
    if not before and text[max(0, start - 4) : start].rstrip()[-1:] in {
        ",",
        "،",
        '"',
        "”",
        "»",
        "“",
    }:
        after = _words_after(text, end, MAX_SPEAKER_WORDS)
        if after:
            return start, after[-1][1], 0.7
    return None


def _words_before(text: str, offset: int, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` words of the clause that ends at ``offset``, in text order."""
    clause_start = max(0, offset - 200)
    for boundary in _CLAUSE_END.finditer(text, clause_start, offset):
        clause_start = boundary.end()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, clause_start, offset)]
    return words[-limit:] if len(words) > limit else words


def _words_after(text: str, offset: int, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` words of the clause that starts at ``offset``."""
    boundary = _CLAUSE_END.search(text, offset, min(len(text), offset + 300))
    stop = boundary.start() if boundary else min(len(text), offset + 300)
    return [(m.start(), m.end()) for m in _WORD.finditer(text, offset, stop)][:limit]


def _reported_nearby(
    text: str, start: int, end: int, reported: list[tuple[int, int]], ends: list[int]
) -> bool:
    """True when an attribution starts just after the quote or ends just before it (only
    punctuation and spaces between). ``reported`` is sorted, ``ends`` its ends sorted."""
    index = bisect.bisect_left(reported, (end, -1))
    for span_start, _span_end in reported[index : index + 2]:
        if span_start - end <= 3 and not text[end:span_start].strip(" ,\u00a0"):
            return True
    index = bisect.bisect_right(ends, start)
    for span_end in ends[max(0, index - 2) : index]:
        if start - span_end <= 3 and not text[span_end:start].strip(" ,:\u00a0"):
            return True
    return False


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without surrounding spaces and a trailing comma or full stop."""
    while start < end and (text[start].isspace()):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",."):
        end -= 1
    return (start, end) if start < end else None


def _whole_characters(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen the range so neither end falls inside a user-perceived character."""
    while start > 0 and inside_cluster(text, start):
        start -= 1
    while end < len(text) and inside_cluster(text, end):
        end += 1
    return start, end
