"""Typed values: what a document question's answer or a span attribute's value may be. Pure.

Document questions (``annotation.questions``) and span attributes (``annotation.definitions``)
share these kinds, so a value is checked, shown and compared the same way wherever it is given:

========== ========================================== ==================================
kind       value                                      agreement level
========== ========================================== ==================================
single     one of ``choices`` (a string)              nominal
multiple   a non-empty subset of ``choices`` (a list, nominal, one binary unit a choice
           in the choices' order)
scale      a whole number, ``minimum`` to ``maximum`` ordinal
number     a finite number, within the bounds if set  interval
text       non-empty text of at most 10,000 chars     none (not compared)
boolean    ``true`` or ``false``                      nominal
========== ========================================== ==================================

A definition is anything with the attributes ``name``, ``kind``, ``choices``, ``minimum`` and
``maximum`` (a ``Question`` row, a :class:`ValueSpec`). "No value" is never a value: an empty
one is refused, and clearing is spelled by the caller (a ``DELETE``, an absent key).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.errors import Problem

KINDS = ("single", "multiple", "scale", "number", "text", "boolean")
LEVELS = {
    "single": "nominal",
    "multiple": "nominal",
    "scale": "ordinal",
    "number": "interval",
    "boolean": "nominal",
}
"""The level of measurement agreement uses for each kind (``text`` is not compared)."""
MAX_TEXT = 10_000
MAX_END_LABEL = 100
MAX_SCALE_POINTS = 101


@dataclass(frozen=True)
class ValueSpec:
    """A checked definition of a typed value (a question's or an attribute's)."""

    name: str
    kind: str
    choices: list[str] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    low_label: str = ""
    high_label: str = ""
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The definition as stored in JSON (``Label.attributes``): only what its kind uses."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "required": self.required}
        if self.kind in ("single", "multiple"):
            out["choices"] = list(self.choices)
        if self.kind in ("scale", "number"):
            out["minimum"], out["maximum"] = self.minimum, self.maximum
        if self.kind == "scale":
            out["low_label"], out["high_label"] = self.low_label, self.high_label
        return out


def spec_of(definition: Mapping[str, Any]) -> ValueSpec:
    """A stored definition (a dict of ``Label.attributes``) as a :class:`ValueSpec`; a definition
    without ``kind`` is a single choice (as every attribute was before typed attributes)."""
    return ValueSpec(
        name=definition["name"],
        kind=definition.get("kind") or "single",
        choices=list(definition.get("choices") or ()),
        minimum=definition.get("minimum"),
        maximum=definition.get("maximum"),
        low_label=definition.get("low_label") or "",
        high_label=definition.get("high_label") or "",
        required=bool(definition.get("required")),
    )


def whole(text: Any, field_name: str) -> int | None:
    """A form field's whole number, None when empty; :class:`Problem` naming the field if not."""
    text = str(text if text is not None else "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Problem(f"{field_name} must be a whole number, not {text!r}", field_name) from None


def check_bounds(name: str, kind: str, minimum: int | None, maximum: int | None) -> None:
    """A scale needs both ends, below one another, at most MAX_SCALE_POINTS points apart; a
    number's bounds are optional. Raises :class:`Problem` naming the field."""
    if kind == "scale" and (minimum is None or maximum is None):
        raise Problem(f"{name}: a scale needs both ends", "minimum")
    if minimum is not None and maximum is not None and minimum >= maximum:
        raise Problem(f"{name}: minimum {minimum} must be below maximum {maximum}", "maximum")
    if kind == "scale" and maximum - minimum + 1 > MAX_SCALE_POINTS:  # type: ignore[operator]
        raise Problem(f"{name}: a scale has at most {MAX_SCALE_POINTS} points", "maximum")


def check_value(value: Any, spec: Any) -> Any:
    """``value`` checked against the definition ``spec``: returns the value to store (a multiple
    choice's list in the choices' order, a whole float of a scale as an int). Raises
    :class:`Problem` with ``field="value"`` whose message starts with the definition's name."""

    def refuse(reason: str) -> Problem:
        return Problem(f"{spec.name}: {reason}", "value")

    kind = spec.kind
    if value is None:
        raise refuse("no value")
    if kind == "single":
        if not isinstance(value, str) or value not in spec.choices:
            raise refuse(f"must be one of {', '.join(spec.choices)}, not {value!r}")
        return value
    if kind == "multiple":
        if not isinstance(value, list) or not value:
            raise refuse("expected a non-empty list of choices")
        for item in value:
            if not isinstance(item, str) or item not in spec.choices:
                raise refuse(f"{item!r} is not one of {', '.join(spec.choices)}")
        if len(set(value)) != len(value):
            raise refuse("each choice at most once")
        return [choice for choice in spec.choices if choice in value]
    if kind in ("scale", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise refuse(f"expected a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise refuse("expected a finite number")
        if kind == "scale":
            if value != int(value):
                raise refuse(f"expected a whole number, got {value!r}")
            value = int(value)
        low, high = spec.minimum, spec.maximum
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
    if kind == "boolean":
        if not isinstance(value, bool):
            raise refuse(f"expected true or false, got {value!r}")
        return value
    raise refuse(f"unknown kind {kind!r}")  # a definition the checks would have refused


def from_form(given: list[str], spec: Any) -> Any:
    """A value typed into an HTML form (``given``: the field's strings, several for a multiple
    choice's boxes) as JSON of ``spec``'s kind, for :func:`check_value` to check: a number
    parsed, ``true``/``false`` a boolean, the rest as typed. Raises :class:`Problem` naming
    ``value`` when nothing was given or a number does not parse."""
    given = [item for item in given if item.strip()]
    if not given:
        raise Problem(f"{spec.name}: no value given", "value")
    if spec.kind == "multiple":
        return given
    first = given[0] if spec.kind == "text" else given[0].strip()
    if spec.kind in ("scale", "number"):
        try:
            number = float(first)
        except ValueError:
            raise Problem(f"{spec.name}: expected a number, not {first!r}", "value") from None
        return int(number) if number.is_integer() and "." not in first else number
    if spec.kind == "boolean":
        return {"true": True, "yes": True, "false": False, "no": False}.get(first.lower(), first)
    return first


def is_valid(value: Any, spec: Any) -> bool:
    """Whether :func:`check_value` accepts ``value`` as it is (without normalising it)."""
    try:
        return bool(check_value(value, spec) == value)
    except Problem:
        return False


def show(value: Any) -> str:
    """A value as one line of text (tooltips, the comparison view): lists joined, yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
