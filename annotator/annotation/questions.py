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

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.annotation.definitions import NAME, parse_choices
from annotator.errors import InvalidAnswer, InvalidQuestion, Problem

KINDS = ("single", "multiple", "scale", "number", "text")
MAX_TEXT = 10_000
MAX_PROMPT = 2_000
MAX_END_LABEL = 100
MAX_SCALE_POINTS = 101
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


def _whole(text: str | None, field_name: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidQuestion(
            f"{field_name} must be a whole number, not {text!r}", field=field_name
        ) from None


def parse_question_form(form: Mapping[str, Any]) -> QuestionSpec:
    """A question from the settings form's fields (all strings; ``required`` is ``"on"`` when
    ticked). Raises :class:`InvalidQuestion` naming the field."""
    name = str(form.get("name", "")).strip()
    if not NAME.match(name):
        raise InvalidQuestion(
            f"question name {name!r}: use a letter, then up to 63 letters, digits or _ . -",
            field="name",
        )
    kind = str(form.get("kind", "")).strip()
    if kind not in KINDS:
        raise InvalidQuestion(f"kind must be one of {', '.join(KINDS)}, not {kind!r}", field="kind")
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
        if len(choices) < 2:
            raise InvalidQuestion(f"{name}: give at least two choices", field="choices")
    if kind in ("scale", "number"):
        minimum = _whole(form.get("minimum"), "minimum")
        maximum = _whole(form.get("maximum"), "maximum")
        if kind == "scale" and (minimum is None or maximum is None):
            raise InvalidQuestion(f"{name}: a scale needs both ends", field="minimum")
        if minimum is not None and maximum is not None and minimum >= maximum:
            raise InvalidQuestion(
                f"{name}: minimum {minimum} must be below maximum {maximum}", field="maximum"
            )
        if kind == "scale" and maximum - minimum + 1 > MAX_SCALE_POINTS:  # type: ignore[operator]
            raise InvalidQuestion(
                f"{name}: a scale has at most {MAX_SCALE_POINTS} points", field="maximum"
            )
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

    def refuse(reason: str) -> InvalidAnswer:
        return InvalidAnswer(f"{question.name}: {reason}", field="value")

    kind = question.kind
    if value is None:
        raise refuse("no value (to clear an answer, delete it)")
    if kind == "single":
        if not isinstance(value, str) or value not in question.choices:
            raise refuse(f"expected one of {', '.join(question.choices)}, got {value!r}")
        return value
    if kind == "multiple":
        if not isinstance(value, list) or not value:
            raise refuse("expected a non-empty list of choices")
        for item in value:
            if not isinstance(item, str) or item not in question.choices:
                raise refuse(f"{item!r} is not one of {', '.join(question.choices)}")
        if len(set(value)) != len(value):
            raise refuse("each choice at most once")
        return [choice for choice in question.choices if choice in value]
    if kind in ("scale", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise refuse(f"expected a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise refuse("expected a finite number")
        if kind == "scale":
            if value != int(value):
                raise refuse(f"expected a whole number, got {value!r}")
            value = int(value)
        low, high = question.minimum, question.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            ends = f"{'' if low is None else low} to {'' if high is None else high}".strip()
            raise refuse(f"{value!r} is outside {ends}")
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise refuse("expected non-empty text")
        if len(value) > MAX_TEXT or "\x00" in value:
            raise refuse(f"text of at most {MAX_TEXT} characters, without NUL")
        return value
    raise refuse(f"unknown kind {kind!r}")  # a definition the database would refuse


def unanswered_required(questions: Iterable[Any], answered: Iterable[str]) -> list[str]:
    """Names of the required questions not in ``answered``, in the questions' order."""
    done = set(answered)
    return [item.name for item in questions if item.required and item.name not in done]
