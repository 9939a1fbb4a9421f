"""Relation types and span attributes: what a project lets annotators say beyond a label. Pure.

An attribute definition is ``{"name": "source_type", "choices": ["named person", ...]}``. A label
holds a list of them (``Label.attributes``); a span holds the chosen values, one per attribute at
most (``{"source_type": "media outlet"}``); an attribute without a value is simply absent.

A relation type (:class:`TypeRule`) links a source span to a target span. It allows some labels at
each end (none listed: any label) and may offer value choices for the link (none: no value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.errors import Problem

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
"""Names of attributes and relation types: a letter, then letters, digits, ``_ . -``."""
MAX_CHOICE = 64
MAX_ATTRIBUTES = 20
MAX_CHOICES = 40


# --- span attributes ---------------------------------------------------------------------------


def choices_of(definitions: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """``{attribute name: choices}`` in definition order."""
    return {item["name"]: list(item["choices"]) for item in definitions}


def check_attributes(values: Any, definitions: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The span attribute values ``values`` (a JSON object) checked against a label's definitions.

    Each key must be an attribute of the label and each value one of its choices; ``null`` or
    ``""`` means "no value" and is dropped. Returns the values in definition order.
    """
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise Problem("attributes must be an object of attribute name -> value", "attributes")
    defined = choices_of(definitions)
    for name, value in values.items():
        if name not in defined:
            known = ", ".join(defined) or "none"
            raise Problem(f"unknown attribute {name!r} for this label (known: {known})", name)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or value not in defined[name]:
            raise Problem(
                f"{name} must be one of {', '.join(defined[name])}, not {value!r}",
                name,
            )
    return {name: values[name] for name in defined if values.get(name)}


def keep_defined(
    values: Mapping[str, str], definitions: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    """The values that are still valid under ``definitions`` (e.g. after a span is relabelled)."""
    defined = choices_of(definitions)
    return {name: values[name] for name in defined if values.get(name) in defined[name]}


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


def parse_attribute_lines(text: str) -> list[dict[str, Any]]:
    """The settings page's text for one label's attributes, one per line:
    ``source_type: named person, official body, media outlet``. Blank lines are skipped."""
    definitions = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, rest = line.partition(":")
        if not colon:
            raise Problem(f"{line.strip()!r}: write an attribute as 'name: choice, choice, …'")
        name = check_name(name, "attribute")
        choices = parse_choices(rest, name)
        if not choices:
            raise Problem(f"attribute {name!r} needs at least one choice")
        definitions.append({"name": name, "choices": choices})
    names = [item["name"] for item in definitions]
    if len(set(names)) != len(names):
        raise Problem("attribute names of a label must be different")
    if len(definitions) > MAX_ATTRIBUTES:
        raise Problem(f"at most {MAX_ATTRIBUTES} attributes per label")
    return definitions


def format_attribute_lines(definitions: Iterable[Mapping[str, Any]]) -> str:
    """Inverse of :func:`parse_attribute_lines`."""
    return "\n".join(f"{item['name']}: {', '.join(item['choices'])}" for item in definitions)


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
