"""Document questions: the settings form's definitions and the answers each kind accepts."""

from __future__ import annotations

import pytest

from annotator.annotation.questions import (
    QuestionSpec,
    check_answer,
    parse_question_form,
    unanswered_required,
)
from annotator.errors import InvalidAnswer, InvalidQuestion

SCALE = QuestionSpec(
    name="credibility", kind="scale", minimum=1, maximum=5, low_label="not", high_label="fully"
)
CHOICE = QuestionSpec(name="genre", kind="single", choices=["news", "opinion"])
SEVERAL = QuestionSpec(name="topics", kind="multiple", choices=["health", "war", "money"])
NUMBER = QuestionSpec(name="sources", kind="number", minimum=0)
TEXT = QuestionSpec(name="summary", kind="text")


def test_settings_form_defines_a_required_scale_with_named_ends():
    spec = parse_question_form(
        {
            "name": "credibility",
            "kind": "scale",
            "prompt": "How credible is it?",
            "minimum": "1",
            "maximum": "5",
            "low_label": "not at all",
            "high_label": "fully",
            "required": "on",
            "choices": "ignored, for a scale",
        }
    )
    assert spec == QuestionSpec(
        name="credibility",
        kind="scale",
        prompt="How credible is it?",
        minimum=1,
        maximum=5,
        low_label="not at all",
        high_label="fully",
        required=True,
    )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "1bad", "kind": "text"}, "name"),
        ({"name": "q", "kind": "rating"}, "kind"),
        ({"name": "q", "kind": "single", "choices": "only one"}, "choices"),
        ({"name": "q", "kind": "multiple", "choices": "a, a"}, "choices"),
        ({"name": "q", "kind": "scale", "minimum": "1"}, "minimum"),
        ({"name": "q", "kind": "scale", "minimum": "5", "maximum": "1"}, "maximum"),
        ({"name": "q", "kind": "scale", "minimum": "one", "maximum": "5"}, "minimum"),
        ({"name": "q", "kind": "scale", "minimum": "0", "maximum": "1000"}, "maximum"),
        ({"name": "q", "kind": "text", "prompt": "x" * 2001}, "prompt"),
    ],
)
def test_settings_form_refuses_a_bad_definition_naming_the_field(form, field):
    with pytest.raises(InvalidQuestion) as refused:
        parse_question_form(form)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("question", "value", "stored"),
    [
        (SCALE, 4, 4),
        (SCALE, 4.0, 4),
        (CHOICE, "opinion", "opinion"),
        (SEVERAL, ["money", "health"], ["health", "money"]),  # kept in the choices' order
        (NUMBER, 2.5, 2.5),
        (NUMBER, 7, 7),
        (TEXT, "Mostly wire copy.", "Mostly wire copy."),
    ],
)
def test_answer_fitting_its_question_is_stored_in_one_spelling(question, value, stored):
    assert check_answer(value, question) == stored


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (SCALE, 0),
        (SCALE, 6),
        (SCALE, 3.5),
        (SCALE, "4"),
        (SCALE, True),
        (CHOICE, "satire"),
        (CHOICE, ["news"]),
        (SEVERAL, []),
        (SEVERAL, ["war", "war"]),
        (SEVERAL, ["peace"]),
        (NUMBER, -1),
        (NUMBER, float("nan")),
        (NUMBER, float("inf")),
        (TEXT, "   "),
        (TEXT, "x" * 10_001),
        (TEXT, None),
    ],
)
def test_answer_not_fitting_its_question_is_refused_naming_the_value(question, value):
    with pytest.raises(InvalidAnswer) as refused:
        check_answer(value, question)
    assert refused.value.field == "value" and refused.value.status == 422
    assert question.name in str(refused.value)


def test_unanswered_required_questions_are_named_in_order():
    questions = [
        QuestionSpec(name="a", kind="text", required=True),
        QuestionSpec(name="b", kind="text"),
        QuestionSpec(name="c", kind="text", required=True),
    ]
    assert unanswered_required(questions, {"c"}) == ["a"]
    assert unanswered_required(questions, {"a", "c"}) == []
