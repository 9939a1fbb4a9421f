"""The manager's edits of a project's relation types and span attribute definitions.

Every change is checked against the work already done: a change that would leave stored links or
attribute values outside the new rules is refused with a message saying how many are affected
(values and links are never dropped silently). Deleting a relation type that has links needs
``confirmed``, and then deletes its links (annotators' and gold) with it. Functions raise
``errors.Invalid`` and do not commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from annotator.annotation.definitions import (
    check_type_definition,
    parse_attribute_lines,
    parse_choices,
    specs_of,
)
from annotator.annotation.relations import relation_types_of
from annotator.annotation.value_types import is_valid, show
from annotator.errors import Invalid, Problem
from annotator.models import GoldRelation, GoldSpan, Label, Project, Relation, RelationType, Span
from annotator.store import labels_of


def set_label_attributes(db: Session, project: Project, label_name: str, text: str) -> Label:
    """Replace a label's attribute definitions with those written in ``text``
    (``definitions.parse_attribute_lines``); refused while spans use a value it drops."""
    label = next((item for item in labels_of(db, project.id) if item.name == label_name), None)
    if label is None:
        raise Invalid(f"no label {label_name!r} in this project")
    try:
        definitions = parse_attribute_lines(text)
    except Problem as problem:
        raise Invalid(f"{label_name}: {problem}") from None
    described = {item["name"]: item.get("description") for item in label.attributes or ()}
    definitions = [  # the text has no room for descriptions: they stay with their attribute
        dict(item, description=described[item["name"]]) if described.get(item["name"]) else item
        for item in definitions
    ]
    defined = specs_of(definitions)
    lost: Counter[tuple[str, str]] = Counter()
    for model in (Span, GoldSpan):
        for (values,) in db.execute(select(model.attributes).where(model.label_id == label.id)):
            for name, value in (values or {}).items():
                if name not in defined or not is_valid(value, defined[name]):
                    lost[(name, show(value))] += 1
    if lost:
        (name, value), count = lost.most_common(1)[0]
        raise Invalid(
            f"{label_name}: {count} span{'s have' if count != 1 else ' has'} {name} = {value!r}, "
            "which these attributes no longer offer; change those spans first"
        )
    label.attributes = definitions
    db.add(label)
    db.flush()
    return label


def save_relation_type(
    db: Session,
    project: Project,
    original: str | None,
    name: str,
    source_labels: Sequence[str],
    target_labels: Sequence[str],
    choices: str,
) -> RelationType:
    """Create a relation type (``original`` None) or change the one named ``original``.

    ``choices`` is comma-separated. A change is refused while existing links (annotators' or
    gold) would break its label rules or carry a value it no longer offers.
    """
    types = relation_types_of(db, project.id)
    labels = [label.name for label in labels_of(db, project.id)]
    try:
        rule = check_type_definition(
            name,
            list(source_labels),
            list(target_labels),
            parse_choices(choices, name.strip() or "relation type"),
            labels,
        )
    except Problem as problem:
        raise Invalid(str(problem)) from None
    current = next((item for item in types if item.name == original), None)
    if original is not None and current is None:
        raise Invalid(f"no relation type {original!r} in this project")
    if any(item.name == rule.name and item is not current for item in types):
        raise Invalid(f"relation type {rule.name!r} already exists")
    if current is None:
        current = RelationType(
            project_id=project.id,
            name=rule.name,
            position=max((item.position for item in types), default=-1) + 1,
        )
    else:
        _refuse_breaking_links(db, current, rule)
    if current.name and current.name != rule.name:
        # a page opened before the rename still sends the old name (see relations.resolve_type)
        for other in types:
            if other is not current and rule.name in (other.former_names or ()):
                other.former_names = [item for item in other.former_names if item != rule.name]
                db.add(other)
        kept = [item for item in (current.former_names or ()) if item not in (rule.name, original)]
        current.former_names = [*kept, current.name]
    current.name = rule.name
    current.source_labels = list(rule.source_labels)
    current.target_labels = list(rule.target_labels)
    current.choices = list(rule.choices)
    db.add(current)
    db.flush()
    return current


def _refuse_breaking_links(db: Session, relation_type: RelationType, rule) -> None:
    for model, spans in ((Relation, Span), (GoldRelation, GoldSpan)):
        source, target = aliased(spans), aliased(spans)
        source_label, target_label = aliased(Label), aliased(Label)
        rows = db.execute(
            select(source_label.name, target_label.name, model.value, func.count())
            .join(source, source.id == model.source_id)
            .join(target, target.id == model.target_id)
            .join(source_label, source_label.id == source.label_id)
            .join(target_label, target_label.id == target.label_id)
            .where(model.type_id == relation_type.id)
            .group_by(source_label.name, target_label.name, model.value)
        )
        for source_name, target_name, value, count in rows:
            links = f"{count} {relation_type.name} link{'s' if count != 1 else ''}"
            verb = ("go", "have") if count != 1 else ("goes", "has")
            if not rule.allows(source_name, target_name):
                raise Invalid(
                    f"{links} {verb[0]} from a {source_name} span to a {target_name} span, which "
                    "the new labels do not allow; delete or change those links first"
                )
            if value is not None and value not in rule.choices:
                raise Invalid(
                    f"{links} {verb[1]} the value {value!r}, which is no longer offered; "
                    "change those links first"
                )


def delete_relation_type(db: Session, project: Project, name: str, confirmed: bool) -> int:
    """Delete a relation type; returns how many links went with it. Refused unless
    ``confirmed`` when it has links."""
    current = next((item for item in relation_types_of(db, project.id) if item.name == name), None)
    if current is None:
        raise Invalid(f"no relation type {name!r} in this project")
    count = sum(
        db.execute(select(func.count()).where(model.type_id == current.id)).scalar_one()
        for model in (Relation, GoldRelation)
    )
    if count and not confirmed:
        raise Invalid(
            f"{name} has {count} link{'s' if count != 1 else ''}; tick “also delete its links” "
            "to delete the type with them"
        )
    db.delete(current)
    db.flush()
    return count


def describe_relation_type(db: Session, project: Project, name: str, description: str) -> str:
    """Set the tooltip text of a relation type; returns the activity log's sentence."""
    from annotator.annotation.label_changes import check_description

    current = _relation_type(db, project, name)
    current.description = check_description(description)
    db.add(current)
    db.flush()
    return f"described relation type {name!r}: {current.description!r}"


def move_relation_type(db: Session, project: Project, name: str, direction: str) -> str:
    """Move a relation type one place ``up`` or ``down`` in the link menu."""
    types = relation_types_of(db, project.id)
    current = _relation_type(db, project, name)
    if direction not in ("up", "down"):
        raise Invalid("move a relation type up or down", field="direction")
    index = types.index(current)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(types):
        raise Invalid(f"relation type {name!r} is already {'first' if other < 0 else 'last'}")
    types[index], types[other] = types[other], types[index]
    for position, item in enumerate(types):
        item.position = position
        db.add(item)
    db.flush()
    return f"moved relation type {name!r} {direction}"


def link_counts(db: Session, project: Project) -> dict[int, int]:
    """Per relation type id, how many links (annotators' and gold) it has."""
    counts: Counter[int] = Counter()
    for model in (Relation, GoldRelation):
        rows = db.execute(
            select(model.type_id, func.count())
            .where(model.project_id == project.id)
            .group_by(model.type_id)
        )
        counts.update(dict(rows.all()))
    return dict(counts)


def _relation_type(db: Session, project: Project, name: str) -> RelationType:
    current = next((item for item in relation_types_of(db, project.id) if item.name == name), None)
    if current is None:
        raise Invalid(f"no relation type {name!r} in this project")
    return current
