"""The manager's edits of a project's labels and of their span attribute definitions.

Spans and gold spans point at their label by id, so a rename or a recolour changes one row and
every span follows; what names a label elsewhere (relation types' allowed labels) is rewritten in
the same transaction. The old name is kept in ``Label.former_names`` so a save from a workspace
opened before the rename (or waiting in a browser's save queue) still finds the label.

Deleting a label that spans use is refused unless ``confirmed``, with the count in the message;
the settings page shows the same counts beforehand. Functions raise ``errors.Invalid``, return a
sentence for the activity log, and do not commit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Text, cast, func, select, union_all, update
from sqlmodel import Session

from annotator.annotation.definitions import check_name
from annotator.annotation.relations import relation_types_of
from annotator.errors import Invalid, Problem
from annotator.models import GoldRelation, GoldSpan, Label, Project, Relation, Span
from annotator.rules import counted
from annotator.store import COLOR, labels_of

#: Keys the workspace keeps for itself (L links the selected span).
RESERVED_KEYS = frozenset("lL")
SHORTCUT = re.compile(r"^[0-9A-Za-z]$")
MAX_DESCRIPTION = 500


def find_label(db: Session, project: Project, name: str) -> Label:
    label = next((item for item in labels_of(db, project.id) if item.name == name), None)
    if label is None:
        raise Invalid(f"no label {name!r} in this project", field="label")
    return label


@dataclass(frozen=True)
class Usage:
    """What uses a label: the counts a manager sees before deleting it."""

    spans: int
    gold_spans: int
    links: int

    def __str__(self) -> str:
        parts = [counted(self.spans, "span"), counted(self.gold_spans, "gold span")]
        return f"{' and '.join(parts)} ({counted(self.links, 'link')} with them)"


def usage(db: Session, project: Project) -> dict[int, Usage]:
    """Per label id, how many spans, gold spans and links (at either end) use it."""
    counts: dict[str, Counter[int]] = {"spans": Counter(), "gold": Counter(), "links": Counter()}
    labels = labels_of(db, project.id)
    ids = [label.id for label in labels]  # label ids belong to one project: counted by index
    for key, model in (("spans", Span), ("gold", GoldSpan)):
        rows = db.execute(
            select(model.label_id, func.count())
            .where(model.label_id.in_(ids))
            .group_by(model.label_id)
        )
        counts[key].update(dict(rows.all()))
    for links, spans in ((Relation, Span), (GoldRelation, GoldSpan)):
        # From the links to their two ends: a project has far fewer links than spans.
        ends = union_all(
            select(links.id, links.source_id.label("span_id")).where(
                links.project_id == project.id
            ),
            select(links.id, links.target_id.label("span_id")).where(
                links.project_id == project.id
            ),
        ).subquery()
        rows = db.execute(
            select(spans.label_id, func.count(ends.c.id.distinct()))
            .join(spans, spans.id == ends.c.span_id)
            .group_by(spans.label_id)
        )
        counts["links"].update(dict(rows.all()))
    return {
        label.id: Usage(
            counts["spans"][label.id], counts["gold"][label.id], counts["links"][label.id]
        )
        for label in labels
    }


def rename_label(db: Session, project: Project, name: str, new_name: str) -> str:
    """Rename a label; relation types that allow it follow. Spans keep pointing at it by id."""
    label = find_label(db, project, name)
    new_name = new_name.strip()
    if not new_name or len(new_name) > 64:
        raise Invalid("a label name needs 1 to 64 characters", field="name")
    if new_name == label.name:
        raise Invalid(f"label {name!r} already has that name", field="name")
    labels = labels_of(db, project.id)
    if any(item.name == new_name for item in labels):
        raise Invalid(f"label {new_name!r} already exists", field="name")
    for other in labels:  # the new name now means this label only
        if other is not label and new_name in (other.former_names or ()):
            other.former_names = [item for item in other.former_names if item != new_name]
            db.add(other)
    former = [item for item in (label.former_names or ()) if item not in (new_name, name)]
    label.former_names = [*former, name]
    label.name = new_name
    db.add(label)
    followed = []
    for relation_type in relation_types_of(db, project.id):
        ends = (relation_type.source_labels or [], relation_type.target_labels or [])
        if name in ends[0] or name in ends[1]:
            relation_type.source_labels = [new_name if item == name else item for item in ends[0]]
            relation_type.target_labels = [new_name if item == name else item for item in ends[1]]
            db.add(relation_type)
            followed.append(relation_type.name)
    db.flush()
    also = f"; relation types {', '.join(followed)} follow" if followed else ""
    return f"renamed label {name!r} to {new_name!r}{also}"


def recolour_label(db: Session, project: Project, name: str, color: str) -> str:
    label = find_label(db, project, name)
    color = color.strip()
    if not COLOR.match(color):
        raise Invalid(f"colour {color!r} is not like #4c78a8", field="color")
    before, label.color = label.color, color.lower()
    db.add(label)
    db.flush()
    return f"recoloured label {name!r} from {before} to {label.color}"


def move_label(db: Session, project: Project, name: str, direction: str) -> str:
    """Move a label one place ``up`` or ``down`` in the project's order (toolbar, legends)."""
    labels = labels_of(db, project.id)
    label = find_label(db, project, name)
    if direction not in ("up", "down"):
        raise Invalid("move a label up or down", field="direction")
    index = labels.index(label)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(labels):
        raise Invalid(f"label {name!r} is already {'first' if other < 0 else 'last'}")
    labels[index], labels[other] = labels[other], labels[index]
    for position, item in enumerate(labels):
        item.position = position
        db.add(item)
    db.flush()
    return f"moved label {name!r} {direction} (now {', '.join(item.name for item in labels)})"


def set_shortcut(db: Session, project: Project, name: str, key: str) -> str:
    """Give a label the workspace key ``key`` (a letter or digit; empty: none)."""
    label = find_label(db, project, name)
    key = key.strip()
    if key and (not SHORTCUT.match(key) or key in RESERVED_KEYS):
        raise Invalid(
            f"shortcut {key!r}: use one letter or digit other than L (L links spans)",
            field="shortcut",
        )
    holder = next(
        (item for item in labels_of(db, project.id) if key and item.shortcut == key), None
    )
    if holder is not None and holder is not label:
        raise Invalid(f"shortcut {key!r} is already the key of {holder.name!r}", field="shortcut")
    label.shortcut = key or None
    db.add(label)
    db.flush()
    return f"label {name!r} now has " + (f"the key {key!r}" if key else "no key")


def set_links_source(db: Session, project: Project, name: str, on: bool) -> str:
    """Say whether the label's spans name a source (the source registry). Switching it off
    keeps the sources spans name already (exports and the Sources page still count them); the
    workspace offers no source field for the label any more."""
    label = find_label(db, project, name)
    label.links_source = on
    db.add(label)
    db.flush()
    return f"{name!r} spans {'name' if on else 'no longer name'} a source"


def check_description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise Invalid(
            f"a description holds at most {MAX_DESCRIPTION} characters", field="description"
        )
    return text


def describe_label(db: Session, project: Project, name: str, description: str) -> str:
    label = find_label(db, project, name)
    label.description = check_description(description)
    db.add(label)
    db.flush()
    return f"described label {name!r}: {label.description!r}"


def delete_label(db: Session, project: Project, name: str, confirmed: bool) -> str:
    """Delete a label. Refused while spans or gold spans use it unless ``confirmed`` (then they
    and their links go too), and while a relation type allows only this label at one end."""
    labels = labels_of(db, project.id)
    label = find_label(db, project, name)
    if len(labels) == 1:
        raise Invalid("a project needs at least one label")
    types = relation_types_of(db, project.id)
    for relation_type in types:
        for end, allowed in (
            ("source", relation_type.source_labels),
            ("target", relation_type.target_labels),
        ):
            if allowed == [name]:
                raise Invalid(
                    f"relation type {relation_type.name!r} allows only {name} spans at its "
                    f"{end}; change or delete that type first"
                )
    used = usage(db, project)[label.id]
    if (used.spans or used.gold_spans) and not confirmed:
        raise Invalid(
            f"{name} is used by {used}; tick “also delete its spans” to delete the label with them",
            field="confirm",
        )
    for relation_type in types:
        if name in (relation_type.source_labels or []) + (relation_type.target_labels or []):
            relation_type.source_labels = [x for x in relation_type.source_labels if x != name]
            relation_type.target_labels = [x for x in relation_type.target_labels if x != name]
            db.add(relation_type)
    # the database cascades: spans of the label, and their links, go with it
    db.delete(label)
    for position, item in enumerate(item for item in labels if item is not label):
        item.position = position
        db.add(item)
    db.flush()
    return f"deleted label {name!r} with {used}"


# --- span attribute definitions -----------------------------------------------------------------


def _definition(label: Label, attribute: str) -> dict:
    found = next((item for item in label.attributes or () if item["name"] == attribute), None)
    if found is None:
        raise Invalid(f"{label.name} has no attribute {attribute!r}", field="attribute")
    return found


def _spans_with_value(db: Session, label: Label, attribute: str) -> list[tuple[object, str, dict]]:
    """(model, span id, values) of the spans and gold spans of ``label`` with a value for
    ``attribute``."""
    found = []
    for model in (Span, GoldSpan):
        rows = db.execute(select(model.id, model.attributes).where(model.label_id == label.id))
        found += [(model, span_id, values) for span_id, values in rows if attribute in values]
    return found


def attribute_usage(db: Session, project: Project) -> dict[tuple[str, str], int]:
    """(label name, attribute name) → how many spans and gold spans have a value for it."""
    names = {label.id: label.name for label in labels_of(db, project.id)}
    counts: Counter[tuple[str, str]] = Counter()
    for model in (Span, GoldSpan):
        # Only spans with a value: decoding every span's empty attributes took most of the
        # settings page's time on a project of 1,000,000 spans (bench/study_bench.py).
        rows = db.execute(
            select(model.label_id, model.attributes).where(
                model.project_id == project.id, cast(model.attributes, Text) != "{}"
            )
        )
        for label_id, values in rows:
            for attribute in values or {}:
                counts[(names[label_id], attribute)] += 1
    return dict(counts)


def rename_attribute(
    db: Session, project: Project, label_name: str, attribute: str, new_name: str
) -> str:
    """Rename one of a label's attributes; the values stored on its spans move to the new name."""
    label = find_label(db, project, label_name)
    _definition(label, attribute)
    try:
        new_name = check_name(new_name, "attribute")
    except Problem as problem:
        raise Invalid(str(problem), field="name") from None
    if any(item["name"] == new_name for item in label.attributes):
        raise Invalid(f"{label_name} already has an attribute {new_name!r}", field="name")
    label.attributes = [
        dict(item, name=new_name) if item["name"] == attribute else dict(item)
        for item in label.attributes
    ]
    db.add(label)
    spans = _spans_with_value(db, label, attribute)
    for model, span_id, values in spans:
        renamed = {new_name if key == attribute else key: value for key, value in values.items()}
        db.execute(update(model).where(model.id == span_id).values(attributes=renamed))
    db.flush()
    return (
        f"renamed attribute {attribute!r} of {label_name!r} to {new_name!r} "
        f"({counted(len(spans), 'span value')} followed)"
    )


def describe_attribute(
    db: Session, project: Project, label_name: str, attribute: str, description: str
) -> str:
    label = find_label(db, project, label_name)
    _definition(label, attribute)
    text = check_description(description)
    label.attributes = [
        dict(item, description=text) if item["name"] == attribute else dict(item)
        for item in label.attributes
    ]
    db.add(label)
    db.flush()
    return f"described attribute {attribute!r} of {label_name!r}: {text!r}"


def move_attribute(
    db: Session, project: Project, label_name: str, attribute: str, direction: str
) -> str:
    label = find_label(db, project, label_name)
    _definition(label, attribute)
    if direction not in ("up", "down"):
        raise Invalid("move an attribute up or down", field="direction")
    items = [dict(item) for item in label.attributes]
    index = next(i for i, item in enumerate(items) if item["name"] == attribute)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise Invalid(f"attribute {attribute!r} is already {'first' if other < 0 else 'last'}")
    items[index], items[other] = items[other], items[index]
    label.attributes = items
    db.add(label)
    db.flush()
    return f"moved attribute {attribute!r} of {label_name!r} {direction}"


def delete_attribute(
    db: Session, project: Project, label_name: str, attribute: str, confirmed: bool
) -> str:
    """Delete one of a label's attributes; refused while spans have a value for it unless
    ``confirmed`` (then the values go)."""
    label = find_label(db, project, label_name)
    _definition(label, attribute)
    spans = _spans_with_value(db, label, attribute)
    if spans and not confirmed:
        raise Invalid(
            f"{counted(len(spans), 'span')} of {label_name} "
            f"{'have' if len(spans) != 1 else 'has'} a value for {attribute}; tick “also delete "
            "its values” to delete the attribute with them",
            field="confirm",
        )
    label.attributes = [dict(item) for item in label.attributes if item["name"] != attribute]
    db.add(label)
    for model, span_id, values in spans:
        kept = {key: value for key, value in values.items() if key != attribute}
        db.execute(update(model).where(model.id == span_id).values(attributes=kept))
    db.flush()
    return (
        f"deleted attribute {attribute!r} of {label_name!r} "
        f"with {counted(len(spans), 'span value')}"
    )
