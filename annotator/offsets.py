"""Offsets: Unicode code points, half-open ``[start, end)``, into the stored document text.

Browsers count UTF-16 code units and files written on Windows carry ``\\r\\n``; these pure
functions convert at the edges so that stored offsets always mean ``text[start:end]`` in Python.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from itertools import accumulate

_NEWLINES = re.compile(r"\r\n?")


def normalise_newlines(text: str) -> tuple[str, Callable[[int], int]]:
    """Return ``text`` with ``\\r\\n`` and lone ``\\r`` turned into ``\\n``, and a function that
    moves an offset in the original text to the same place in the normalised one.

    An offset that points between ``\\r`` and ``\\n`` moves to just before the ``\\n``: the
    ``\\r`` of a pair counts as nothing, its ``\\n`` as the one character it becomes.
    """
    if "\r" not in text:
        return text, _unchanged
    crlf_ends = [match.end() for match in _NEWLINES.finditer(text) if match.group() == "\r\n"]
    normalised = _NEWLINES.sub("\n", text)
    if not crlf_ends:
        return normalised, _unchanged

    def move(offset: int) -> int:
        # Every \r\n whose \r lies before the offset (it ends at or before offset + 1)
        # shortens the text before the offset by one.
        return offset - bisect.bisect_right(crlf_ends, offset + 1)

    return normalised, move


def _unchanged(offset: int) -> int:
    return offset


def utf16_length(text: str) -> int:
    """Number of UTF-16 code units the browser counts for ``text``."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf16_offsets(text: str) -> Callable[[int], int]:
    """A function mapping a code point offset into ``text`` to its UTF-16 code unit offset.

    Characters above U+FFFF (most emoji, regional-indicator flags) take two UTF-16 units and one
    code point; everything else takes one of each, so without them the mapping is the identity.
    """
    if text.isascii() or max(text) <= "\uffff":
        return lambda offset: offset
    extra = [0, *accumulate(1 if char > "\uffff" else 0 for char in text)]
    return lambda offset: offset + extra[offset]


def utf16_to_code_points(text: str, utf16_offset: int) -> int:
    """Convert a browser (UTF-16) offset into ``text`` to a code-point offset.

    Raises ValueError for an offset that falls inside a surrogate pair or past the end.
    """
    units = 0
    for index, char in enumerate(text):
        if units == utf16_offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > utf16_offset:
            raise ValueError(f"UTF-16 offset {utf16_offset} falls inside a surrogate pair")
    if units == utf16_offset:
        return len(text)
    raise ValueError(f"UTF-16 offset {utf16_offset} is past the end of the text ({units})")


def code_points_to_utf16(text: str, offset: int) -> int:
    """Convert a code-point offset into ``text`` to the browser's UTF-16 offset."""
    return utf16_offsets(text)(offset)


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with whitespace.

    Returns ``(start, start)`` when the range holds only whitespace.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_word_char(char: str) -> bool:
    # Letters, digits and combining marks belong to words, as do joiners inside emoji sequences.
    return char.isalnum() or char in "_'’\u200d\ufe0f" or _is_mark(char)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


_ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """True for a character that belongs to the grapheme cluster before it."""
    code = ord(char)
    return (
        char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji presentation)
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or _is_mark(char)
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _inside_cluster(text: str, offset: int) -> bool:
    """True when ``offset`` falls inside a user-perceived character (simplified UAX #29: marks,
    emoji modifiers and ZWJ sequences, regional-indicator flag pairs)."""
    if offset <= 0 or offset >= len(text):
        return False
    if _extends(text[offset]) or text[offset - 1] == _ZWJ:
        return True
    if _is_regional_indicator(text[offset]) and _is_regional_indicator(text[offset - 1]):
        run = offset
        while run > 0 and _is_regional_indicator(text[run - 1]):
            run -= 1
        return (offset - run) % 2 == 1
    return False


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words, then trim whitespace at both ends.

    A selection that starts or ends inside a word is extended to that word's edge; punctuation at
    the edges is kept as selected. Neither end is left inside a user-perceived character: an
    accent stays with its letter, a flag or a ZWJ emoji sequence is taken whole.
    """
    start, end = trim_whitespace(text, start, end)
    if start == end:
        return start, end
    while start > 0 and (
        _inside_cluster(text, start)
        or (_is_word_char(text[start - 1]) and _is_word_char(text[start]))
    ):
        start -= 1
    while end < len(text) and (
        _inside_cluster(text, end) or (_is_word_char(text[end]) and _is_word_char(text[end - 1]))
    ):
        end += 1
    return start, end


def inside_cluster(text: str, offset: int) -> bool:
    """True when ``offset`` falls inside a user-perceived character (see ``snap_to_words``):
    cutting the text there would split an accent from its letter or an emoji sequence."""
    return _inside_cluster(text, offset)
