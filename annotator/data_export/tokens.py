"""The tokenisation of the token-tag exports (CoNLL BIO/BILOU), stated once. Pure.

A token is a maximal run of word characters (letters, digits, ``_``, combining marks), or one
other user-perceived character (a punctuation mark, a symbol, a whole emoji: a ZWJ sequence, a
flag or an emoji with its skin tone is one token). Whitespace separates tokens and belongs to
none. No character is ever split from the marks or joiners that extend it (``offsets``'s rules
for user-perceived characters). Tokens are half-open code point ranges into the text; a block is
one line of the text (lines are CoNLL's sentences here).
"""

from __future__ import annotations

import unicodedata

from annotator.offsets import inside_cluster

TOKENISATION = (
    "tokens are runs of letters, digits, _ and combining marks, or single other characters "
    "(punctuation, symbols, whole emoji sequences); whitespace separates them; one block per "
    "line of the text"
)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def tokenize(text: str) -> list[list[tuple[int, int]]]:
    """``text`` as blocks (its lines, empty ones left out) of tokens ``(start, end)``."""
    blocks: list[list[tuple[int, int]]] = []
    block: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "\n\r\u2028\u2029\x85\x0b\x0c":
            if block:
                blocks.append(block)
                block = []
            index += 1
            continue
        if char.isspace():
            index += 1
            continue
        end = index + 1
        while end < len(text) and (
            inside_cluster(text, end) or (_is_word(char) and _is_word(text[end]))
        ):
            end += 1
        block.append((index, end))
        index = end
    if block:
        blocks.append(block)
    return blocks
