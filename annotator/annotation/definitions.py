"""Relation types and span attributes: what a project lets annotators say beyond a label. Pure.

An attribute definition is typed like a document question (``value_types``): ``{"name":
"source_type", "kind": "single", "required": false, "choices": ["named person", ...]}``, or an
ordinal ``{"name": "source_reliability", "kind": "scale", "minimum": 1, "maximum": 5, ...}``,
a ``boolean``, ``text``, ``number`` or ``multiple``. A label holds a list of them
(``Label.attributes``); a span holds its values, one per attribute at most
(``{"source_type": "media outlet", "source_reliability": 4}``); an attribute without a value is
simply absent.

A relation type (:class:`TypeRule`) links a source span to a target span. It allows some labels at
each end (none listed: any label) and may offer value choices for the link (none: no value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.annotation.value_types import KINDS, ValueSpec, check_value, is_valid, spec_of
from annotator.errors import AnnotatorError, Problem

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
"""Names of attributes and relation types: a letter, then letters, digits, ``_ . -``."""
MAX_CHOICE = 64
MAX_ATTRIBUTES = 20
MAX_CHOICES = 40


# --- span attributes ---------------------------------------------------------------------------


def specs_of(definitions: Iterable[Mapping[str, Any]]) -> dict[str, ValueSpec]:
    """``{attribute name: its typed definition}`` in definition order."""
    return {item["name"]: spec_of(item) for item in definitions}


def choices_of(definitions: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """``{attribute name: choices}`` in definition order (empty for kinds without choices)."""
    return {name: list(spec.choices) for name, spec in specs_of(definitions).items()}


def check_attributes(values: Any, definitions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The span attribute values ``values`` (a JSON object) checked against a label's definitions.

    Each key must be an attribute of the label and each value fit its kind
    (``value_types.check_value``); ``null``, ``""`` or ``[]`` means "no value" and is dropped
    (``false`` is a boolean's value, not "no value"). Returns the values in definition order.
    """
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise Problem("attributes must be an object of attribute name -> value", "attributes")
    defined = specs_of(definitions)
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in defined:
            known = ", ".join(defined) or "none"
            raise Problem(f"unknown attribute {name!r} for this label (known: {known})", name)
        if value is None or value == "" or value == []:
            continue
        try:
            checked[name] = check_value(value, defined[name])
        except Problem as problem:
            raise Problem(str(problem), name) from None
    return {name: checked[name] for name in defined if name in checked}


def keep_defined(
    values: Mapping[str, Any], definitions: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The values that are still valid under ``definitions`` (e.g. after a span is relabelled)."""
    defined = specs_of(definitions)
    return {
        name: values[name]
        for name, spec in defined.items()
        if name in values and is_valid(values[name], spec)
    }


def missing_required(
    values: Mapping[str, Any], definitions: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Names of the required attributes without a value, in definition order."""
    return [
        name for name, spec in specs_of(definitions).items() if spec.required and name not in values
    ]


def parse_choices(text: str, what: str) -> list[str]:
    """``"named person, official body"`` → the choices, checked: 1 to 64 characters each, no
    duplicates, at most MAX_CHOICES."""
    choices = [part.strip() for part in text.split(",") if part.strip()]
    for choice in choices:
        if len(choice) > MAX_CHOICE:
            raise Problem(f"{what}: choice {choice[:20]!r}… is longer than {MAX_CHOICE} characters")
    if len(set(choices)) != len(choices):
        raise Problem(f"{what}: every choice must be different")
    if len(choices) > MAX_CHOICES:
        raise Problem(f"{what}: at most {MAX_CHOICES} choices")
    return choices


def check_name(name: str, what: str) -> str:
    name = name.strip()
    if not NAME.match(name):
        raise Problem(
            f"{what} {name!r}: use a letter, then up to 63 letters, digits or _ . -", "name"
        )
    return name


_HEAD = re.compile(r"^\s*([^(]*?)\s*(?:\(([^)]*)\))?\s*$")
_BOUNDS = re.compile(r"^(-?\d+)?\.\.(-?\d+)?$")


def parse_attribute_line(line: str) -> dict[str, Any]:
    """One attribute written as a line of the settings page, checked; returns its stored dict
    (``value_types.ValueSpec.as_dict``). The line is ``name: choice, choice`` (a single choice,
    as before typed attributes) or ``name (options): rest`` where the options, comma-separated,
    are a kind of ``value_types.KINDS``, ``required``, and bounds ``1..5`` (a scale's ends, a
    number's optional bounds: ``0..`` or ``..10``); ``rest`` is the choices (single, multiple),
    the end labels ``low | high`` (scale) or nothing::

        source_type: named person, official body
        source_reliability (scale 1..5, required): unreliable | reliable
        verifiable (boolean)
        topics (multiple): politics, health
    """
    from annotator.annotation.questions import parse_question_form  # it uses this module

    head, colon, rest = line.partition(":")
    match = _HEAD.match(head)
    if not match or not (colon or match.group(2) is not None):
        raise Problem(
            f"{line.strip()!r}: write an attribute as 'name: choice, choice, …' or "
            "'name (kind, required): …'"
        )
    name = check_name(match.group(1), "attribute")
    form: dict[str, Any] = {"name": name, "kind": "single"}
    for option in re.split(r"[,\s]+", (match.group(2) or "").strip()):
        if not option:
            continue
        bounds = _BOUNDS.match(option)
        if option in KINDS:
            form["kind"] = option
        elif option == "required":
            form["required"] = True
        elif option == "optional":
            form["required"] = False
        elif bounds:
            form["minimum"], form["maximum"] = bounds.group(1), bounds.group(2)
        else:
            raise Problem(
                f"{name}: unknown option {option!r} (a kind of {', '.join(KINDS)}, "
                "'required' or bounds such as 1..5)"
            )
    rest = rest.strip()
    if form["kind"] in ("single", "multiple"):
        form["choices"] = rest
    elif form["kind"] == "scale":
        low, _, high = rest.partition("|")
        form["low_label"], form["high_label"] = low.strip(), high.strip()
    elif rest:
        raise Problem(f"{name}: a {form['kind']} attribute takes nothing after the colon")
    try:
        spec = parse_question_form(form, kinds=KINDS, min_choices=1)
    except AnnotatorError as problem:
        raise Problem(str(problem)) from None
    return ValueSpec(
        name=spec.name,
        kind=spec.kind,
        choices=spec.choices,
        minimum=spec.minimum,
        maximum=spec.maximum,
        low_label=spec.low_label,
        high_label=spec.high_label,
        required=spec.required,
    ).as_dict()


def parse_attribute_lines(text: str) -> list[dict[str, Any]]:
    """The settings page's text for one label's attributes, one per line
    (:func:`parse_attribute_line`). Blank lines are skipped."""
    definitions = [parse_attribute_line(line) for line in text.splitlines() if line.strip()]
    names = [item["name"] for item in definitions]
    if len(set(names)) != len(names):
        raise Problem("attribute names of a label must be different")
    if len(definitions) > MAX_ATTRIBUTES:
        raise Problem(f"at most {MAX_ATTRIBUTES} attributes per label")
    return definitions


def format_attribute_line(definition: Mapping[str, Any]) -> str:
    """Inverse of :func:`parse_attribute_line`."""
    spec = spec_of(definition)
    options = [] if spec.kind == "single" else [spec.kind]
    if spec.kind in ("scale", "number") and (spec.minimum, spec.maximum) != (None, None):
        low = "" if spec.minimum is None else spec.minimum
        high = "" if spec.maximum is None else spec.maximum
        options[-1] += f" {low}..{high}"
    if spec.required:
        options.append("required")
    head = spec.name + (f" ({', '.join(options)})" if options else "")
    if spec.kind in ("single", "multiple"):
        return f"{head}: {', '.join(spec.choices)}"
    if spec.kind == "scale" and (spec.low_label or spec.high_label):
        return f"{head}: {spec.low_label} | {spec.high_label}"
    return head


def format_attribute_lines(definitions: Iterable[Mapping[str, Any]]) -> str:
    """Inverse of :func:`parse_attribute_lines`."""
    return "\n".join(format_attribute_line(item) for item in definitions)


# --- relation types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeRule:
    """A relation type as the checks see it: which labels each end may have, which values."""

    name: str
    source_labels: tuple[str, ...] = ()
    target_labels: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    def allows_source(self, label: str) -> bool:
        return not self.source_labels or label in self.source_labels

    def allows_target(self, label: str) -> bool:
        return not self.target_labels or label in self.target_labels

    def allows(self, source_label: str, target_label: str) -> bool:
        return self.allows_source(source_label) and self.allows_target(target_label)

    def check_ends(self, source_label: str, target_label: str) -> None:
        if not self.allows_source(source_label):
            raise Problem(
                f"a {self.name} link starts at a {' or '.join(self.source_labels)} span, "
                f"not a {source_label} span",
                "source",
            )
        if not self.allows_target(target_label):
            raise Problem(
                f"a {self.name} link ends at a {' or '.join(self.target_labels)} span, "
                f"not a {target_label} span",
                "target",
            )

    def check_value(self, value: Any) -> str | None:
        """The link's value: None or "" for none, else one of the type's choices."""
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value not in self.choices:
            offered = ", ".join(self.choices) if self.choices else "no values"
            raise Problem(f"a {self.name} link takes {offered}, not {value!r}", "value")
        return value


def check_type_definition(
    name: str,
    source_labels: Sequence[str],
    target_labels: Sequence[str],
    choices: Sequence[str],
    labels: Iterable[str],
) -> TypeRule:
    """A relation type as a manager entered it, checked against the project's label names."""
    name = check_name(name, "relation type")
    known = set(labels)
    for end, chosen in (("source", source_labels), ("target", target_labels)):
        unknown = [label for label in chosen if label not in known]
        if unknown:
            raise Problem(f"{name}: unknown {end} label {unknown[0]!r}")
    if len(set(choices)) != len(choices):
        raise Problem(f"{name}: every value must be different")
    return TypeRule(name, tuple(source_labels), tuple(target_labels), tuple(choices))
