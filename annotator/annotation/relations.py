"""Relations between spans: saving, deleting and listing links, an annotator's and the gold layer's.

A relation links a source span to a target span of the same document and layer (one annotator's
spans, or the gold spans) with a relation type of the project, and may carry one of the type's
values. Its id is made by the client, as a span's is: ``PUT`` creates the relation or updates it
to the given values, so a retried request leaves exactly one; ``DELETE`` of an absent id succeeds.
The payload is ``{"type": name, "source": span id, "target": span id, "value"?: str | null}``.

The database keeps both ends in the relation's document and layer and deletes a relation with
either of its spans; the label rules of the type are checked here (and on relabelling, in
``spans``). The same two spans may be linked once per type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from annotator.adjudication import state
from annotator.annotation.definitions import TypeRule
from annotator.annotation.highlight import Link
from annotator.annotation.spans import SPAN_ID, commit_change, create_once, delete_owned
from annotator.errors import Problem, Refused
from annotator.models import (
    Document,
    GoldRelation,
    GoldSpan,
    Label,
    Relation,
    RelationType,
    Span,
    User,
    utcnow,
)


def relation_types_of(db: Session, project_id: int) -> list[RelationType]:
    return list(
        db.execute(
            select(RelationType)
            .where(RelationType.project_id == project_id)
            .order_by(RelationType.position, RelationType.id)
        ).scalars()
    )


def resolve_type(types: list[RelationType], name: str) -> RelationType | None:
    """The type called ``name`` now, or else the one that was called so before a rename (a page
    opened before it still sends the old name)."""
    current = next((item for item in types if item.name == name), None)
    if current is not None:
        return current
    return next((item for item in types if name in (item.former_names or ())), None)


def rule_of(relation_type: RelationType) -> TypeRule:
    return TypeRule(
        relation_type.name,
        tuple(relation_type.source_labels or ()),
        tuple(relation_type.target_labels or ()),
        tuple(relation_type.choices or ()),
    )


@dataclass(frozen=True)
class RelationValues:
    type_id: int
    type: str
    source: str
    target: str
    value: str | None


def check_relation(
    db: Session,
    payload: Any,
    document: Document,
    types: list[RelationType],
    annotator: User | None,
) -> RelationValues:
    """Validate a relation payload against the project's types and the layer's spans.

    ``annotator`` is whose spans the ends must be; None for the gold layer. A missing end, or one
    of another layer or document, is 422 like any invalid value (its existence is not revealed).
    """
    if not isinstance(payload, dict):
        raise Refused(400, "expected a JSON object")
    by_name = {item.name: item for item in types}
    chosen = (
        resolve_type(types, payload.get("type")) if isinstance(payload.get("type"), str) else None
    )
    if chosen is None:
        known = ", ".join(by_name) or "none"
        raise Refused(
            422, f"unknown relation type {payload.get('type')!r} (known: {known})", "type"
        )
    model = Span if annotator is not None else GoldSpan
    labels = {}
    for end in ("source", "target"):
        span_id = payload.get(end)
        span = (
            db.get(model, span_id) if isinstance(span_id, str) and SPAN_ID.match(span_id) else None
        )
        if (
            span is None
            or span.document_id != document.id
            or (annotator is not None and span.annotator_id != annotator.id)
        ):
            layer = "your spans" if annotator is not None else "the gold spans"
            raise Refused(422, f"the {end} {span_id!r} is not one of {layer} in this document", end)
        labels[end] = db.get(Label, span.label_id).name
    if payload["source"] == payload["target"]:
        raise Refused(422, "a span cannot be linked to itself", "target")
    rule = rule_of(chosen)
    try:
        rule.check_ends(labels["source"], labels["target"])
        value = rule.check_value(payload.get("value"))
    except Problem as problem:
        raise Refused(422, str(problem), problem.field) from None
    return RelationValues(chosen.id, chosen.name, payload["source"], payload["target"], value)


def refuse_foreign(db: Session, document: Document, annotator: User, relation_id: str) -> None:
    """404 when ``relation_id`` is another annotator's (or another document's) relation: checked
    before the payload, so a manager learns nothing about an annotator's link from the answer."""
    existing = db.get(Relation, relation_id)
    if existing is not None and (
        existing.annotator_id != annotator.id or existing.document_id != document.id
    ):
        raise Refused(404, "no such relation")


def save_relation(
    db: Session, document: Document, annotator: User, relation_id: str, values: RelationValues
) -> tuple[Relation, bool]:
    """Create or update the annotator's relation ``relation_id``; (relation, created). Commits."""
    return _save(db, Relation, {"annotator_id": annotator.id}, document, relation_id, values)


def save_gold_relation(
    db: Session,
    document: Document,
    curator: User,
    relation_id: str,
    values: RelationValues,
    source_relation_id: str | None = None,
    *,
    commit: bool = True,
) -> tuple[GoldRelation, bool]:
    """Create or update a gold relation of ``document``; (relation, created). Commits, unless
    ``commit`` is false: then the caller's transaction holds it (a bulk action, all or nothing)."""
    owner = {"curator_id": curator.id}
    if source_relation_id:
        owner["source_relation_id"] = source_relation_id
    saved = _save(db, GoldRelation, owner, document, relation_id, values, commit=commit)
    state.record_work(db, document, curator)  # the document's adjudication is under way
    if commit:
        db.commit()
    return saved


def _save(
    db: Session,
    model,
    owner: dict,
    document: Document,
    relation_id: str,
    values,
    *,
    commit: bool = True,
):
    if not SPAN_ID.match(relation_id):
        raise Refused(400, "relation id must be 8 to 36 letters, digits, - or _", "id")
    owned = model is Relation

    def foreign(row) -> bool:
        return row.document_id != document.id or (
            owned and row.annotator_id != owner["annotator_id"]
        )

    twin = db.execute(
        select(model.id).where(
            model.source_id == values.source,
            model.target_id == values.target,
            model.type_id == values.type_id,
            model.id != relation_id,
        )
    ).first()
    if twin is not None:
        raise Refused(409, f"these two spans are already linked as {values.type}", "type")
    existing = db.get(model, relation_id)
    fields = {
        "type_id": values.type_id,
        "source_id": values.source,
        "target_id": values.target,
        "value": values.value,
    }
    try:
        if existing is None:
            now = utcnow()
            row = {
                "id": relation_id,
                "project_id": document.project_id,
                "document_id": document.id,
                **owner,
                **fields,
                "created_at": now,
                "updated_at": now,
            }
            existing, inserted = create_once(db, model, row, foreign, "relation", commit=commit)
            if inserted:
                return existing, True
            # Another request created this id at the same moment: apply ours as an update.
        if foreign(existing):
            raise Refused(404, "no such relation")  # another user's id: do not reveal it
        if any(getattr(existing, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.updated_at = utcnow()
            if not owned:
                existing.curator_id = owner["curator_id"]
            db.add(existing)
            commit_change(db, "relation", commit=commit)
        return existing, False
    except IntegrityError:
        if not commit:
            raise  # the caller's whole transaction fails: nothing half done
        # The same link saved at the same moment under another id (the unique key), or an end
        # deleted meanwhile (the foreign key): either way the request cannot be applied.
        db.rollback()
        raise Refused(409, "the link changed meanwhile; reload the document") from None


def delete_relation(db: Session, document: Document, annotator: User, relation_id: str) -> bool:
    """Delete the annotator's relation; True if it existed. Another user's: 404. Commits."""
    return delete_owned(db, Relation, document, relation_id, annotator.id, "relation")


def delete_gold_relation(db: Session, document: Document, relation_id: str) -> bool:
    return delete_owned(db, GoldRelation, document, relation_id, None, "relation")


# --- reading -------------------------------------------------------------------------------------


def _query(model, spans, document_id: int, annotator_id: int | None, columns: tuple = ()):
    """The document's relations (of one annotator, if given) with their type names, ordered by
    source position; ``columns`` of the relation instead of the whole row, if given."""
    source, target = aliased(spans), aliased(spans)
    query = (
        select(*(columns or (model,)), RelationType.name)
        .join(RelationType, RelationType.id == model.type_id)
        .join(source, source.id == model.source_id)
        .join(target, target.id == model.target_id)
        .where(model.document_id == document_id)
        .order_by(source.start, source.end.desc(), target.start, RelationType.position, model.id)
    )
    if annotator_id is not None:
        query = query.where(model.annotator_id == annotator_id)
    return query


def relations_of(db: Session, document_id: int, annotator_id: int) -> list[tuple[Relation, str]]:
    """The annotator's relations on the document with their type names, by source position."""
    return [tuple(row) for row in db.execute(_query(Relation, Span, document_id, annotator_id))]


def gold_relations_of(db: Session, document_id: int) -> list[tuple[GoldRelation, str]]:
    return [tuple(row) for row in db.execute(_query(GoldRelation, GoldSpan, document_id, None))]


def links_of(db: Session, document_id: int, annotator_id: int) -> list[Link]:
    """The annotator's links on the document as the workspace shows them, by source position.

    Plain column rows, not ORM objects: the workspace renders hundreds of them per request, and
    500 ORM objects cost a fifth of its time and most of the garbage it leaves (issue 15).
    """
    columns = (Relation.id, Relation.source_id, Relation.target_id, Relation.value)
    return [
        Link(link_id, name, source, target, value)
        for link_id, source, target, value, name in db.execute(
            _query(Relation, Span, document_id, annotator_id, columns)
        )
    ]


def as_links(rows: list[tuple[Relation | GoldRelation, str]]) -> list[Link]:
    return [Link(row.id, name, row.source_id, row.target_id, row.value) for row, name in rows]


def as_json(relation: Relation | GoldRelation, type_name: str) -> dict:
    return {
        "id": relation.id,
        "type": type_name,
        "source": relation.source_id,
        "target": relation.target_id,
        "value": relation.value,
        "created_at": relation.created_at.isoformat(),
        "updated_at": relation.updated_at.isoformat(),
    }


def type_menu(types: list[RelationType]) -> list[dict]:
    """The relation types as the workspace's link menu needs them (JSON-serialisable)."""
    return [
        {
            "name": item.name,
            "source": list(item.source_labels or ()),
            "target": list(item.target_labels or ()),
            "choices": list(item.choices or ()),
        }
        for item in types
    ]
