"""Typed span attributes: the settings line syntax and the value checks they share with document
questions (annotator.annotation.value_types)."""

from __future__ import annotations

import pytest

from annotator.annotation.definitions import (
    check_attributes,
    format_attribute_lines,
    keep_defined,
    missing_required,
    parse_attribute_line,
    parse_attribute_lines,
)
from annotator.annotation.value_types import LEVELS, check_value, is_valid, show, spec_of
from annotator.errors import Problem

LINES = """source_type: named person, official body
source_reliability (scale 1..5, required): unreliable | reliable
verifiable (boolean)
paraphrase (text)
quoted_figures (number 0..)
topics (multiple): politics, health, economy"""

DEFINITIONS = parse_attribute_lines(LINES)


def test_a_plain_line_is_an_optional_single_choice_as_before():
    assert parse_attribute_line("source_type: named person, official body") == {
        "name": "source_type",
        "kind": "single",
        "required": False,
        "choices": ["named person", "official body"],
    }


def test_a_scale_line_has_its_ends_their_labels_and_is_required():
    assert DEFINITIONS[1] == {
        "name": "source_reliability",
        "kind": "scale",
        "required": True,
        "minimum": 1,
        "maximum": 5,
        "low_label": "unreliable",
        "high_label": "reliable",
    }


def test_lines_round_trip_through_the_settings_text():
    assert format_attribute_lines(DEFINITIONS) == LINES
    assert parse_attribute_lines(format_attribute_lines(DEFINITIONS)) == DEFINITIONS


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("reliability (scale)", "a scale needs both ends"),
        ("reliability (scale 5..1)", "must be below"),
        ("reliability (ordinal 1..5)", "unknown option 'ordinal'"),
        ("verifiable (boolean): yes, no", "takes nothing after the colon"),
        ("topics (multiple):", "give at least one choice"),
        ("count (number x..)", "unknown option"),
        ("just a name", "write an attribute as"),
    ],
)
def test_a_bad_line_is_refused_with_the_reason(line, reason):
    with pytest.raises(Problem, match=reason):
        parse_attribute_line(line)


@pytest.mark.parametrize(
    ("values", "stored"),
    [
        ({"source_reliability": 4}, {"source_reliability": 4}),
        ({"source_reliability": 4.0}, {"source_reliability": 4}),
        ({"verifiable": False}, {"verifiable": False}),
        ({"topics": ["health", "politics"]}, {"topics": ["politics", "health"]}),
        (
            {"quoted_figures": 2.5, "paraphrase": "he said so"},
            {"paraphrase": "he said so", "quoted_figures": 2.5},
        ),
        ({"topics": [], "paraphrase": "", "source_type": None}, {}),
    ],
)
def test_span_values_are_checked_by_kind_and_stored_in_definition_order(values, stored):
    assert check_attributes(values, DEFINITIONS) == stored
    assert list(check_attributes(values, DEFINITIONS)) == list(stored)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"source_reliability": 6}, "source_reliability: 6 is outside 1 to 5"),
        ({"source_reliability": 2.5}, "expected a whole number"),
        ({"verifiable": "yes"}, "expected true or false"),
        ({"quoted_figures": -1}, "outside 0 to"),
        ({"topics": ["sport"]}, "'sport' is not one of"),
        ({"source_type": "anonymous"}, "must be one of named person, official body"),
        ({"colour": "red"}, "unknown attribute 'colour'"),
    ],
)
def test_a_value_that_does_not_fit_its_kind_is_refused_naming_the_attribute(values, reason):
    with pytest.raises(Problem, match=reason) as caught:
        check_attributes(values, DEFINITIONS)
    assert caught.value.field == next(iter(values))


def test_relabelling_keeps_only_the_values_the_new_label_still_defines():
    others = parse_attribute_lines("source_reliability (scale 1..3)\nverifiable (boolean)")
    values = {"source_reliability": 5, "verifiable": False, "paraphrase": "x"}
    assert keep_defined(values, others) == {"verifiable": False}


def test_required_attributes_without_a_value_are_named():
    assert missing_required({"verifiable": True}, DEFINITIONS) == ["source_reliability"]
    assert missing_required({"source_reliability": 1}, DEFINITIONS) == []


def test_a_definition_without_kind_is_a_single_choice():
    spec = spec_of({"name": "certainty", "choices": ["asserted", "hedged"]})
    assert spec.kind == "single" and not spec.required
    assert is_valid("hedged", spec) and not is_valid("sure", spec)


def test_booleans_are_not_numbers_and_numbers_are_not_booleans():
    scale = spec_of(DEFINITIONS[1])
    with pytest.raises(Problem):
        check_value(True, scale)
    with pytest.raises(Problem):
        check_value(1, spec_of(DEFINITIONS[2]))


def test_every_compared_kind_has_a_level_of_measurement():
    assert LEVELS == {
        "single": "nominal",
        "multiple": "nominal",
        "scale": "ordinal",
        "number": "interval",
        "boolean": "nominal",
    }


def test_values_read_as_one_line():
    assert [show(True), show(False), show(["a", "b"]), show(3)] == ["yes", "no", "a, b", "3"]
