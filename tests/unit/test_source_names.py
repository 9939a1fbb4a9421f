"""The source registry's pure rules: a name's key, the checks of a source's fields, what a span
payload's ``named_source`` asks for, and the side panel's and CSV's rendering of sources."""

from __future__ import annotations

import pytest

from annotator.annotation.highlight import Highlight, render_list
from annotator.annotation.source_names import (
    CLEAR,
    SourceChoice,
    check_url,
    check_wikidata,
    clean_name,
    like_pattern,
    name_key,
    parse_choice,
)
from annotator.annotation.sources import SourceFigures, csv_rows
from annotator.errors import Refused


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Reuters", "reuters"),
        ("  The   GUARDIAN ", "the guardian"),
        ("Die\tZEIT\n", "die zeit"),
        ("Straße", "strasse"),  # case folding, not only lower case
        ("Cafe\u0301", "café"),  # one Unicode form
    ],
)
def test_names_differing_only_in_case_and_spacing_have_one_key(name, key):
    assert name_key(name) == key


def test_a_name_is_stored_cleaned_and_refused_when_empty_long_or_with_control_characters():
    assert clean_name("  Jane \t Doe ") == "Jane Doe"
    for bad in ("", "   ", "x" * 201, "Jane\x00Doe", 42):
        with pytest.raises(Refused) as refused:
            clean_name(bad)
        assert (refused.value.status, refused.value.field) == (422, "name")


@pytest.mark.parametrize(
    ("value", "choice"),
    [
        (None, CLEAR),
        ({"id": 7}, SourceChoice(id=7)),
        ({"id": 7, "name": "Reuters", "kind": "outlet"}, SourceChoice(7, "Reuters", "outlet")),
        ({"name": " reuters "}, SourceChoice(None, "reuters", "person")),
    ],
)
def test_named_source_is_an_id_a_name_or_nothing(value, choice):
    assert parse_choice(value) == choice
    assert parse_choice(value).clears is (choice == CLEAR)


@pytest.mark.parametrize(
    "value",
    ["Reuters", 7, [], {}, {"id": True}, {"id": "7"}, {"name": ""}, {"name": "AP", "kind": "wire"}],
)
def test_a_malformed_named_source_is_refused_naming_the_field(value):
    with pytest.raises(Refused) as refused:
        parse_choice(value)
    assert (refused.value.status, refused.value.field) == (422, "named_source")


def test_urls_must_be_http_or_https_with_a_host_and_wikidata_ids_like_q42():
    assert (
        check_url("") is None
        and check_url(" https://www.reuters.com ") == "https://www.reuters.com"
    )
    assert check_url("HTTP://example.org/a?b=c") == "HTTP://example.org/a?b=c"
    for bad in (
        "javascript:alert(1)",
        "ftp://example.org",
        "https://",
        "www.reuters.com",
        "http://a b",
    ):
        with pytest.raises(Refused) as refused:
            check_url(bad)
        assert refused.value.field == "url"
    assert check_wikidata("q42") == "Q42" and check_wikidata(" ") is None
    for bad in ("42", "Q", "Q0", "Q42a", "P31"):
        with pytest.raises(Refused) as refused:
            check_wikidata(bad)
        assert refused.value.field == "wikidata"


def test_like_wildcards_in_a_query_match_themselves():
    assert like_pattern("100%_\\") == "100\\%\\_\\\\"


def test_the_side_panel_shows_the_source_a_span_names_and_carries_it_as_json():
    text = "Reuters said so."
    spans = [
        Highlight("s1", 3, "attribution", 0, 7, source=(5, "Reuters <R>", "outlet")),
        Highlight("s2", 1, "claim", 8, 15),
    ]
    html = str(render_list(text, spans))
    assert "source: Reuters &lt;R&gt; (outlet)" in html
    assert (
        'data-source="{&quot;id&quot;: 5, &quot;name&quot;: &quot;Reuters &lt;R&gt;&quot;' in html
    )
    assert html.count("data-source=") == 1


def test_the_csv_has_a_column_per_rating_and_defuses_formulas():
    rows = csv_rows(
        [
            SourceFigures(
                1, "Reuters", "outlet", "https://r.com", "Q1", 2, 1, 3, 0, 1, {"r": (2.5, 2)}
            ),
            SourceFigures(2, "=HYPERLINK(1)", "outlet", None, None),
        ],
        ["r"],
    )
    assert rows[0][-1] == "mean_r"
    assert rows[1] == [
        "1",
        "Reuters",
        "outlet",
        "https://r.com",
        "Q1",
        "2",
        "1",
        "3",
        "0",
        "1",
        "2.500",
    ]
    assert rows[2][1] == "'=HYPERLINK(1)" and rows[2][-1] == ""
