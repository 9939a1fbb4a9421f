"""The rule recommender finds attributions and quoted claims with known answers, in English,
Russian and Arabic, and never proposes offsets outside the text or inside a character."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.offsets import inside_cluster
from annotator.suggestions.rules import (
    LexiconError,
    default_lexicon_text,
    parse_lexicon,
    suggest,
)

LABELS = ["claim", "evidence", "attribution"]
LEXICON = parse_lexicon(default_lexicon_text())


def found(text: str, labels=LABELS, lexicon=LEXICON) -> set[tuple[str, str]]:
    return {(item.label, text[item.start : item.end]) for item in suggest(text, labels, lexicon)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The fire was caused by faulty wiring, the port authority said on Wednesday.",
            {("attribution", "the port authority said")},
        ),
        (
            "Absences fell by 30 percent, according to a study published on Monday.",
            {("attribution", "according to a study published on Monday")},
        ),
        (
            "A company spokesman told the Courier that the wiring had passed.",
            {("attribution", "A company spokesman told")},
        ),
        (
            '"Our inspectors found a melted junction box," said Maria Okafor, head of safety.',
            {
                ("attribution", "said Maria Okafor"),
                ("claim", "Our inspectors found a melted junction box"),
            },
        ),
        ("Nobody disputes that the river flooded twice.", set()),
    ],
)
def test_rules_find_attributions_and_quoted_claims_in_english(text, expected):
    assert found(text) == expected


def test_inverted_said_is_taken_only_after_a_quotation_or_comma():
    assert found("He said the date was not realistic.") == {("attribution", "He said")}


def test_quoted_claim_needs_the_claim_label_in_the_project():
    text = '"The effect was larger than we expected," said Dr Ito.'
    assert found(text, labels=["attribution"]) == {("attribution", "said Dr Ito")}


def test_label_names_match_case_insensitively_and_keep_the_projects_spelling():
    assert found("Prices rose, the minister said.", labels=["Attribution"]) == {
        ("Attribution", "the minister said")
    }


def test_rules_find_russian_attribution_and_according_to():
    text = "Пожар вызвала неисправная проводка, заявил представитель порта."
    assert found(text) == {("attribution", "заявил представитель порта")}
    text = "По словам министра, цены вырастут."
    assert found(text) == {("attribution", "По словам министра")}


def test_rules_find_arabic_attribution_with_harakat():
    # "prices rose, the ministry's spokesman said" (Arabic comma; verb first, speaker after)
    text = "ارتفعت الأسعار، قال المتحدث باسم الوزارة."
    assert found(text) == {("attribution", "قال المتحدث باسم الوزارة")}
    # with a fatha on each letter of the verb (combining marks kept with their letters)
    text = "ارتفعت الأسعار، قَالَ المتحدث."
    assert found(text, lexicon=parse_lexicon("[verbs]\nقَالَ\n")) == {("attribution", "قَالَ المتحدث")}
    text = "ارتفعت الأسعار وفقاً لوزارة الصحة."
    assert found(text) == {("attribution", "وفقاً لوزارة الصحة")}


def test_a_span_never_ends_between_a_letter_and_its_combining_mark():
    # the lexicon word ends before the combining acute: the suggestion takes the accent too
    lexicon = parse_lexicon("[verbs]\nsaid\n")
    text = "Prices rose, the ministre\u0301 said."
    (item,) = suggest(text, ["attribution"], lexicon)
    assert text[item.start : item.end] == "the ministre\u0301 said"


def test_lexicon_is_read_by_section_and_bad_lines_are_named():
    lexicon = parse_lexicon("# comment\n[verbs]\nsaid  # inline\n\n[according]\naccording to\n")
    assert lexicon.verbs == ("said",) and lexicon.according == ("according to",)
    with pytest.raises(LexiconError, match="line 1: 'said' comes before"):
        parse_lexicon("said\n")
    with pytest.raises(LexiconError, match="line 2: unknown section"):
        parse_lexicon("[verbs]\n[nouns]\n")
    with pytest.raises(LexiconError, match="line 2: '\\?\\?' is not a word"):
        parse_lexicon("[verbs]\n??\n")


def test_an_empty_lexicon_suggests_nothing():
    assert suggest("He said so, according to her.", LABELS, parse_lexicon("")) == []


PIECES = st.sampled_from(
    [
        "said",
        " said ",
        "according to ",
        "по словам ",
        "заявил ",
        "قال ",
        "وفقاً ",
        '"',
        "“",
        "”",
        "«",
        "»",
        ", ",
        ". ",
        "\n",
        "e\u0301",
        "\u064e",
        "👨\u200d👩\u200d👧",
        "🇺🇦",
        "Maria",
        "министр ",
        "الوزارة ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=30))
def test_no_suggestion_is_outside_the_text_or_inside_a_character(pieces):
    text = "".join(pieces)
    for item in suggest(text, LABELS, LEXICON):
        assert 0 <= item.start < item.end <= len(text)
        assert not inside_cluster(text, item.start) and not inside_cluster(text, item.end)
        # code points, never half a UTF-16 surrogate pair: the slice encodes cleanly
        text[item.start : item.end].encode("utf-16-le", errors="strict")
        assert 0 < item.score <= 1
