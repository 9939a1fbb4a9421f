"""Document questions and their answers: definitions and value checks. Pure: no Flask, no database.

A project's manager asks questions about every document (``Question`` rows); each annotator answers
them per document, beside the text. An answer's value is JSON, by the question's kind:

========== ========================================== ==================================
kind       value                                      agreement level (``agreement``)
========== ========================================== ==================================
single     one of ``choices`` (a string)              nominal
multiple   a non-empty subset of ``choices`` (a list, nominal, one binary unit a choice
           in the choices' order)
scale      a whole number, ``minimum`` to ``maximum`` ordinal
number     a finite number, within the bounds if set  interval
text       non-empty text of at most 10,000 chars     none (not compared)
========== ========================================== ==================================

Clearing an answer is a ``DELETE``, not an empty value: an empty value is refused, so "no answer"
has one spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.annotation.definitions import NAME, parse_choices
from annotator.annotation.value_types import (
    MAX_END_LABEL,
    check_bounds,
    check_value,
    whole,
)
from annotator.errors import InvalidAnswer, InvalidQuestion, Problem

KINDS = ("single", "multiple", "scale", "number", "text")
MAX_PROMPT = 2_000
MAX_QUESTIONS = 50


@dataclass(frozen=True)
class QuestionSpec:
    """A checked question definition, as the settings form and the import pass it around."""

    name: str
    kind: str
    prompt: str = ""
    choices: list[str] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    low_label: str = ""
    high_label: str = ""
    required: bool = False


def parse_question_form(
    form: Mapping[str, Any], kinds: tuple[str, ...] = KINDS, min_choices: int = 2
) -> QuestionSpec:
    """A question from the settings form's fields (all strings; ``required`` is ``"on"`` when
    ticked), of one of ``kinds`` (span attributes also allow ``boolean``). Raises
    :class:`InvalidQuestion` naming the field."""
    name = str(form.get("name", "")).strip()
    if not NAME.match(name):
        raise InvalidQuestion(
            f"question name {name!r}: use a letter, then up to 63 letters, digits or _ . -",
            field="name",
        )
    kind = str(form.get("kind", "")).strip()
    if kind not in kinds:
        raise InvalidQuestion(f"kind must be one of {', '.join(kinds)}, not {kind!r}", field="kind")
    prompt = str(form.get("prompt", "")).strip()
    if len(prompt) > MAX_PROMPT:
        raise InvalidQuestion(f"prompt: at most {MAX_PROMPT} characters", field="prompt")
    low, high = (str(form.get(key, "")).strip() for key in ("low_label", "high_label"))
    for key, value in (("low_label", low), ("high_label", high)):
        if len(value) > MAX_END_LABEL:
            raise InvalidQuestion(f"{key}: at most {MAX_END_LABEL} characters", field=key)
    choices: list[str] = []
    minimum = maximum = None
    if kind in ("single", "multiple"):
        try:
            choices = parse_choices(str(form.get("choices", "")), name)
        except Problem as problem:
            raise InvalidQuestion(str(problem), field="choices") from None
        if len(choices) < min_choices:
            many = "two choices" if min_choices == 2 else "one choice"
            raise InvalidQuestion(f"{name}: give at least {many}", field="choices")
    if kind in ("scale", "number"):
        try:
            minimum = whole(form.get("minimum"), "minimum")
            maximum = whole(form.get("maximum"), "maximum")
            check_bounds(name, kind, minimum, maximum)
        except Problem as problem:
            raise InvalidQuestion(str(problem), field=problem.field) from None
    if kind != "scale":
        low = high = ""
    return QuestionSpec(
        name=name,
        kind=kind,
        prompt=prompt,
        choices=choices,
        minimum=minimum,
        maximum=maximum,
        low_label=low,
        high_label=high,
        required=form.get("required") in ("on", "true", True),
    )


def check_answer(value: Any, question: Any) -> Any:
    """The answer ``value`` checked against ``question`` (a ``Question`` or :class:`QuestionSpec`):
    returns the value to store (a multiple choice's list in the choices' order, a whole float of
    a scale as an int). Raises :class:`InvalidAnswer` with ``field="value"``."""

    if value is None:
        raise InvalidAnswer(
            f"{question.name}: no value (to clear an answer, delete it)", field="value"
        )
    try:
        return check_value(value, question)
    except Problem as problem:
        raise InvalidAnswer(str(problem), field="value") from None


def unanswered_required(questions: Iterable[Any], answered: Iterable[str]) -> list[str]:
    """Names of the required questions not in ``answered``, in the questions' order."""
    done = set(answered)
    return [item.name for item in questions if item.required and item.name not in done]
