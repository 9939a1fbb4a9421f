"""A value typed into an HTML form becomes JSON of its definition's kind before it is checked
(the curation view's gold answer form)."""

from __future__ import annotations

import pytest

from annotator.annotation.value_types import ValueSpec, check_value, from_form
from annotator.errors import Problem

SCALE = ValueSpec("credibility", "scale", minimum=1, maximum=5)
NUMBER = ValueSpec("sources", "number")
TOPICS = ValueSpec("topics", "multiple", choices=["war", "health"])


@pytest.mark.parametrize(
    ("given", "spec", "value"),
    [
        (["4"], SCALE, 4),
        ([" 4 "], SCALE, 4),
        (["2.5"], NUMBER, 2.5),
        (["-3"], NUMBER, -3),
        (["health", "war"], TOPICS, ["health", "war"]),
        (["true"], ValueSpec("verifiable", "boolean"), True),
        (["no"], ValueSpec("verifiable", "boolean"), False),
        (["  two\nlines "], ValueSpec("summary", "text"), "  two\nlines "),
        (["opinion"], ValueSpec("genre", "single", choices=["opinion"]), "opinion"),
    ],
)
def test_a_typed_value_becomes_json_of_its_kind(given, spec, value):
    assert from_form(given, spec) == value
    assert type(from_form(given, spec)) is type(value)


def test_the_parsed_value_is_then_checked_in_one_spelling():
    assert check_value(from_form(["health", "war"], TOPICS), TOPICS) == ["war", "health"]


@pytest.mark.parametrize(
    ("given", "spec", "reason"),
    [
        ([], SCALE, "no value given"),
        (["  "], NUMBER, "no value given"),
        (["lots"], SCALE, "a number"),
    ],
)
def test_nothing_or_a_word_for_a_number_is_refused_naming_the_value(given, spec, reason):
    with pytest.raises(Problem, match=reason) as refused:
        from_form(given, spec)
    assert refused.value.field == "value"
