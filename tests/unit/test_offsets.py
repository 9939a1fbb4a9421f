"""Offsets are code points into the stored text; these pure functions convert at the edges."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.offsets import (
    code_points_to_utf16,
    normalise_newlines,
    snap_to_words,
    trim_whitespace,
    utf16_length,
    utf16_to_code_points,
)

try:
    import regex  # grapheme clusters (UAX #29) as the reference; installed with trafilatura
except ImportError:  # pragma: no cover
    regex = None

FAMILY = (
    "👨\u200d👩\u200d👧"  # three emoji joined by two ZERO WIDTH JOINERs: one character on screen
)
UKRAINE = "🇺🇦"  # two regional indicators
THUMBS = "👍🏽"  # emoji and skin-tone modifier
E_ACUTE = "e\u0301"  # e and COMBINING ACUTE ACCENT
MIXED = f"Захарова said {FAMILY} and {UKRAINE} {THUMBS} café {E_ACUTE} שָׁלוֹם مرحبا end"


# --- normalise_newlines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("one\r\ntwo\r\n", "one\ntwo\n"),
        ("one\rtwo\r", "one\ntwo\n"),
        ("a\r\n\rb\n\r\nc", "a\n\nb\n\nc"),
        ("\n\r", "\n\n"),
        ("Привет\r\nмир 👋\r\n", "Привет\nмир 👋\n"),
    ],
)
def test_normalise_newlines_turns_crlf_and_lone_cr_into_lf(written, stored):
    assert normalise_newlines(written)[0] == stored


def test_normalise_newlines_leaves_text_without_cr_alone():
    text = f"line one\nline two {FAMILY}"
    normalised, move = normalise_newlines(text)
    assert normalised is text
    assert [move(offset) for offset in range(len(text) + 1)] == list(range(len(text) + 1))


def test_lone_cr_keeps_every_offset():
    text = "a\rb\rc"
    _normalised, move = normalise_newlines(text)
    assert [move(offset) for offset in range(len(text) + 1)] == [0, 1, 2, 3, 4, 5]


def test_crlf_moves_offsets_after_it_back_by_one_per_pair():
    #       0 1 2  3  4 5 6  7  8
    text = "a b\r\nc d\r\ne"
    normalised, move = normalise_newlines(text)
    assert normalised == "a b\nc d\ne"
    assert [move(offset) for offset in (0, 3, 5, 6, 8, 10, 11)] == [0, 3, 4, 5, 7, 8, 9]
    assert normalised[move(5) : move(8)] == text[5:8] == "c d"


def test_offset_between_cr_and_lf_moves_to_just_before_the_lf():
    text = "ab\r\ncd"
    normalised, move = normalise_newlines(text)
    assert move(3) == 2 and normalised[move(3)] == "\n"
    # A span that ends between the pair keeps what precedes the \r; one that starts there keeps
    # the line break it starts with.
    assert normalised[move(0) : move(3)] == "ab"
    assert normalised[move(3) : move(6)] == "\ncd"


def test_offsets_move_past_astral_characters_and_crlf_together():
    text = f"{FAMILY}\r\nЗахарова\r\n{UKRAINE} said"
    normalised, move = normalise_newlines(text)
    start = text.index("said")
    assert normalised[move(start) : move(start + 4)] == "said"
    assert normalised[move(text.index("Захарова")) :].startswith("Захарова\n")


@settings(deadline=None)
@given(st.text(alphabet="ab\r\nЖ😀", max_size=40), st.data())
def test_moved_span_holds_the_same_text_with_newlines_normalised(text, data):
    normalised, move = normalise_newlines(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    between_pair = {i for i in range(1, len(text)) if text[i - 1 : i + 1] == "\r\n"}
    if start in between_pair or end in between_pair:
        return
    assert normalised[move(start) : move(end)] == normalise_newlines(text[start:end])[0]
    assert move(len(text)) == len(normalised)


# --- UTF-16 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("hello", 5),
        ("Захарова", 8),
        (FAMILY, 8),  # 3 astral emoji (2 units each) and 2 joiners
        (UKRAINE, 4),
        (THUMBS, 4),
        (E_ACUTE, 2),
        ("שָׁלוֹם", 7),
        ("", 0),
    ],
)
def test_utf16_length_counts_what_the_browser_counts(text, units):
    assert utf16_length(text) == units == len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("offset", range(len(MIXED) + 1))
def test_utf16_and_code_point_offsets_round_trip_at_every_position(offset):
    units = code_points_to_utf16(MIXED, offset)
    assert units == len(MIXED[:offset].encode("utf-16-le")) // 2
    assert utf16_to_code_points(MIXED, units) == offset


def test_utf16_offset_after_an_emoji_sequence_points_at_the_next_character():
    text = f"{FAMILY}{UKRAINE}x"
    assert utf16_to_code_points(text, 8) == 5 and text[5] == "🇺"
    assert utf16_to_code_points(text, 12) == 7 and text[7] == "x"


@pytest.mark.parametrize(
    ("text", "units", "reason"),
    [
        ("a😀b", 2, "inside a surrogate pair"),
        (UKRAINE, 3, "inside a surrogate pair"),
        ("abc", 4, "past the end"),
    ],
)
def test_utf16_offset_inside_a_surrogate_pair_or_past_the_end_is_refused(text, units, reason):
    with pytest.raises(ValueError, match=reason):
        utf16_to_code_points(text, units)


# --- trim_whitespace -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "selection", "expected"),
    [
        ("  claim  ", (0, 9), "claim"),
        ("\nЗахарова\u00a0", (0, 10), "Захарова"),  # no-break space is whitespace too
        ("a\u3000مرحبا\t", (1, 8), "مرحبا"),  # ideographic space, tab
        (f" {FAMILY} ", (0, 7), FAMILY),
        ("said it", (0, 7), "said it"),
    ],
)
def test_trim_whitespace_drops_whitespace_at_both_ends_only(text, selection, expected):
    start, end = trim_whitespace(text, *selection)
    assert text[start:end] == expected


def test_trim_whitespace_of_only_whitespace_is_empty():
    start, end = trim_whitespace("a   b", 1, 4)
    assert start == end


# --- snap_to_words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("Захарова заявила, что", "хар", "Захарова"),
        ("Захарова заявила, что", "ова заяв", "Захарова заявила"),
        ("the café’s owner", "caf", "café’s"),
        ("cafe\u0301 noir", "cafe", "cafe\u0301"),  # the accent stays with its letter
        ("שָׁלוֹם עולם", "ל", "שָׁלוֹם"),  # Hebrew with points (combining marks)
        ("قال المتحدث باسم الوزارة", "تحد", "المتحدث"),
        ("قال المتحدث باسم الوزارة", "ث باس", "المتحدث باسم"),
        ("said «nothing changed», he", "nothing changed»,", "nothing changed»,"),
        ("  spaced out  ", "  spaced out  ", "spaced out"),
        ("a 2024 figure", "02", "2024"),
    ],
)
def test_snap_to_words_widens_a_selection_to_whole_words(text, selected, expected):
    start = text.index(selected)
    start, end = snap_to_words(text, start, start + len(selected))
    assert text[start:end] == expected


@pytest.mark.parametrize(
    ("text", "selection", "expected"),
    [
        pytest.param(f"family {FAMILY} here", (9, 11), FAMILY, id="middle of a ZWJ sequence"),
        pytest.param(f"family {FAMILY} here", (7, 8), FAMILY, id="first emoji of a sequence"),
        pytest.param(f"family {FAMILY} here", (8, 9), FAMILY, id="a joiner alone"),
        pytest.param(f"flags {UKRAINE}🇩🇪 up", (7, 8), UKRAINE, id="second half of a flag"),
        pytest.param(f"flags {UKRAINE}🇩🇪 up", (7, 9), UKRAINE + "🇩🇪", id="halves of two flags"),
        pytest.param(f"flags {UKRAINE}🇩🇪 up", (8, 9), "🇩🇪", id="first half of a flag"),
        pytest.param(f"ok {THUMBS} fine", (3, 4), THUMBS, id="emoji without its skin tone"),
        pytest.param(f"a {FAMILY}{UKRAINE} b", (2, 3), FAMILY, id="sequence next to a flag"),
    ],
)
def test_snap_to_words_never_cuts_an_emoji_sequence_or_flag(text, selection, expected):
    start, end = snap_to_words(text, *selection)
    assert text[start:end] == expected


def test_snap_to_words_of_whitespace_only_is_empty():
    start, end = snap_to_words("one   two", 3, 6)
    assert start == end


SNAP_ALPHABET = ["a", "b", " ", ".", "’", "Ж", "e\u0301", "م", "שׁ", FAMILY, UKRAINE, THUMBS, "😀"]


@pytest.mark.skipif(regex is None, reason="the regex package is not installed")
@settings(deadline=None)
@given(st.lists(st.sampled_from(SNAP_ALPHABET), max_size=12).map("".join), st.data())
def test_snapped_selection_covers_the_selection_and_ends_on_character_boundaries(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    trimmed = trim_whitespace(text, start, end)
    snapped = snap_to_words(text, start, end)
    if trimmed[0] == trimmed[1]:
        assert snapped[0] == snapped[1]
        return
    assert snapped[0] <= trimmed[0] and trimmed[1] <= snapped[1]
    boundaries = {0, *(match.end() for match in regex.finditer(r"\X", text))}
    assert snapped[0] in boundaries and snapped[1] in boundaries
